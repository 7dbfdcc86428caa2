import { createHash } from 'node:crypto';

import { Clock } from '@/common/time/clock';
import type { Transaction } from '@/database/sql-executor';
import { strictFake } from '@test/helpers/strict-fake';

import { InvalidTokenError } from './auth.errors';
import type { NewUserToken, TokenPurpose, UserTokensRepository } from './user-tokens.repository';
import { TOKEN_LIFETIME_MS, UserTokensService } from './user-tokens.service';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const clock = strictFake<Clock>({ now: () => new Date(NOW) });
const tx = strictFake<Transaction>({});
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe(UserTokensService.name, () => {
  describe('issue', () => {
    it.each<[TokenPurpose, number]>([
      ['PASSWORD_RESET', 30 * 60_000],
      ['EMAIL_VERIFICATION', 24 * 3_600_000],
      ['EMAIL_CHANGE', 24 * 3_600_000],
    ])(
      'stores only the SHA-256 of 32 random bytes, a %s token expiring after %i ms',
      async (purpose, lifetime) => {
        const stored: NewUserToken[] = [];
        const service = new UserTokensService(
          strictFake<UserTokensRepository>({
            create: (_tx, token) => {
              stored.push(token);
              return Promise.resolve();
            },
          }),
          clock,
        );
        const token = await service.issue(tx, purpose, 'user-1', 'alice@example.com');
        expect(Buffer.from(token, 'base64url')).toHaveLength(32);
        expect(TOKEN_LIFETIME_MS[purpose]).toBe(lifetime);
        expect(stored).toEqual([
          {
            userId: 'user-1',
            purpose,
            email: 'alice@example.com',
            tokenHash: sha256(token),
            expiresAt: new Date(NOW.getTime() + lifetime),
          },
        ]);
        expect(JSON.stringify(stored)).not.toContain(token);
      },
    );

    it('never issues the same token twice', async () => {
      const service = new UserTokensService(
        strictFake<UserTokensRepository>({ create: () => Promise.resolve() }),
        clock,
      );
      const tokens = await Promise.all(
        Array.from({ length: 50 }, () => service.issue(tx, 'PASSWORD_RESET', 'u', 'a@example.com')),
      );
      expect(new Set(tokens).size).toBe(50);
    });
  });

  describe('redeem', () => {
    const token = 'A'.repeat(43);

    it('consumes by hash, purpose and the current time, and says for whom', async () => {
      const calls: unknown[][] = [];
      const service = new UserTokensService(
        strictFake<UserTokensRepository>({
          consume: (...args) => {
            calls.push(args.slice(1));
            return Promise.resolve({ userId: 'user-1', email: 'alice@example.com' });
          },
        }),
        clock,
      );
      await expect(service.redeem(tx, 'EMAIL_CHANGE', token)).resolves.toEqual({
        userId: 'user-1',
        email: 'alice@example.com',
      });
      expect(calls).toEqual([['EMAIL_CHANGE', sha256(token), NOW]]);
    });

    it('refuses a token the conditional update did not take (used, expired, unknown, other purpose)', async () => {
      const service = new UserTokensService(
        strictFake<UserTokensRepository>({ consume: () => Promise.resolve(null) }),
        clock,
      );
      await expect(service.redeem(tx, 'PASSWORD_RESET', token)).rejects.toThrow(InvalidTokenError);
    });

    it.each(['', 'short', 'A'.repeat(44), `${'A'.repeat(42)}=`, `${'A'.repeat(42)}/`])(
      'refuses the malformed token %p without a query',
      async (malformed) => {
        // The fake has no `consume`: a query would fail the test with another error.
        const service = new UserTokensService(strictFake<UserTokensRepository>({}), clock);
        await expect(service.redeem(tx, 'PASSWORD_RESET', malformed)).rejects.toThrow(InvalidTokenError);
      },
    );
  });
});
