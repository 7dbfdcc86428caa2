import { Logger } from '@nestjs/common';

import { ApiKeyScope } from '@/common/auth/api-key-scope';
import { InvalidApiKeyError } from '@/common/auth/auth.errors';
import type { AuthUser } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import { CursorCodec } from '@/common/pagination/cursor-codec';
import type { Transaction } from '@/database/sql-executor';
import { apiKeyCaller } from '@test/factories/callers';
import { fakeTransactions } from '@test/helpers/fake-transactions';
import { strictFake } from '@test/helpers/strict-fake';

import { AuditAction, AuditActorType, AuditTargetType } from '../audit/audit-actions';
import type { AuditContext } from '../audit/audit-context';
import type { AuditLog } from '../audit/audit-log';
import { AccountRole } from './account-roles';
import { AccountNotFoundError, AccountRoleRequiredError, ApiKeyNotFoundError } from './accounts.errors';
import type { AccountsRepository } from './accounts.repository';
import type { ApiKeyIdentity, ApiKeyRecord, ApiKeysRepository, NewApiKey } from './api-keys.repository';
import { ApiKeysService, hashSecret, TOUCH_INTERVAL_MS } from './api-keys.service';

const actor: AuthUser = { kind: 'user', id: 'actor', role: UserRole.User, sessionId: 's1' };
const input = { name: 'CRM import', scopes: [ApiKeyScope.PostsRead] };
const audit: AuditContext = {
  actor: { type: AuditActorType.User, id: 'actor' },
  ip: '192.0.2.1',
  requestId: 'r1',
};
const tx = {} as Transaction;
const identity: ApiKeyIdentity = {
  id: 'k1',
  accountId: 'a1',
  createdById: 'creator',
  scopes: ['posts:read'],
};

function keyRecord(id: string, prefix = 'lk_000000000000'): ApiKeyRecord {
  return { id, name: 'CRM import', prefix, scopes: ['posts:read'], createdAt: new Date(), lastUsedAt: null };
}

/** The service, with the actor holding `role` in account a1. */
function build(role: AccountRole | null, keys: Partial<ApiKeysRepository> = {}) {
  const findRole = jest.fn((accountId: string, userId: string) =>
    Promise.resolve(accountId === 'a1' && userId === 'actor' ? role : null),
  );
  const record = jest.fn((_tx: Transaction, _context: AuditContext, _entry: unknown) => Promise.resolve());
  const service = new ApiKeysService(
    fakeTransactions(tx),
    strictFake<ApiKeysRepository>(keys),
    strictFake<AccountsRepository>({ findRole }),
    new CursorCodec('unit-test-cursor-secret'),
    strictFake<AuditLog>({ record }),
  );
  return { service, findRole, record };
}

describe(ApiKeysService.name, () => {
  describe('who may manage keys', () => {
    const operations = [
      ['create', (service: ApiKeysService) => service.createKey(actor, 'a1', input, audit)],
      ['list', (service: ApiKeysService) => service.listKeys(actor, 'a1', { limit: 20 })],
      ['revoke', (service: ApiKeysService) => service.revokeKey(actor, 'a1', 'k1', audit)],
    ] as const;

    it.each(operations)(
      'hides the account from a non-member asking to %s, before touching keys',
      async (_, call) => {
        const attempt = call(build(null).service);
        await expect(attempt).rejects.toThrow(AccountNotFoundError);
        await expect(attempt).rejects.toHaveProperty('code', 'ACCOUNT_NOT_FOUND');
      },
    );

    it.each(operations)('refuses a plain member asking to %s, before touching keys', async (_, call) => {
      const attempt = call(build(AccountRole.Member).service);
      await expect(attempt).rejects.toThrow(AccountRoleRequiredError);
      await expect(attempt).rejects.toHaveProperty('code', 'ACCOUNT_ROLE_REQUIRED');
    });

    it('hides the account from an API key, even one of that account, without looking up a role', async () => {
      const key: AuthUser = apiKeyCaller({
        id: 'actor',
        scopes: [ApiKeyScope.PostsRead, ApiKeyScope.PostsWrite],
      });
      const { service, findRole } = build(AccountRole.Owner);
      await expect(service.listKeys(key, 'a1', { limit: 20 })).rejects.toThrow(AccountNotFoundError);
      expect(findRole).not.toHaveBeenCalled();
    });
  });

  it.each([AccountRole.Owner, AccountRole.Admin])(
    'lets an %s create a key, storing only the hash of a secret shown once, and recording it without either',
    async (role) => {
      const create = jest.fn((_tx: Transaction, _accountId: string, _createdById: string, key: NewApiKey) =>
        Promise.resolve(keyRecord('k1', key.prefix)),
      );
      const { service, record } = build(role, { create });
      const created = await service.createKey(actor, 'a1', input, audit);

      expect(created.secret).toMatch(/^lk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
      expect(created.prefix).toBe(created.secret.slice(0, 15));
      expect(create).toHaveBeenCalledWith(tx, 'a1', 'actor', {
        name: 'CRM import',
        prefix: created.prefix,
        secretHash: hashSecret(created.secret),
        scopes: [ApiKeyScope.PostsRead],
      });
      expect(record).toHaveBeenCalledWith(tx, audit, {
        action: AuditAction.ApiKeyCreated,
        target: { type: AuditTargetType.ApiKey, id: 'k1' },
        accountId: 'a1',
        metadata: { name: 'CRM import', scopes: ['posts:read'], prefix: created.prefix },
      });
    },
  );

  it('pages the live keys of the account after the last key kept', async () => {
    const listLive = jest.fn().mockResolvedValue([keyRecord('k3'), keyRecord('k2'), keyRecord('k1')]);
    const { service } = build(AccountRole.Admin, { listLive });

    const first = await service.listKeys(actor, 'a1', { limit: 2 });
    expect(first.data.map((key) => key.id)).toEqual(['k3', 'k2']);
    expect(listLive).toHaveBeenLastCalledWith('a1', 2, undefined);

    listLive.mockResolvedValue([keyRecord('k1')]);
    const last = await service.listKeys(actor, 'a1', { limit: 2, cursor: first.nextCursor! });
    expect(listLive).toHaveBeenLastCalledWith('a1', 2, 'k2');
    expect(last.nextCursor).toBeNull();
  });

  it('revokes a key of the account, and answers not found for a key it does not have', async () => {
    const revoke = jest.fn((_tx: Transaction, _accountId: string, keyId: string) =>
      Promise.resolve(keyRecord(keyId)),
    );
    const { service, record } = build(AccountRole.Owner, { revoke });
    await service.revokeKey(actor, 'a1', 'k1', audit);
    expect(revoke).toHaveBeenCalledWith(tx, 'a1', 'k1');
    expect(record).toHaveBeenCalledWith(
      tx,
      audit,
      expect.objectContaining({ action: AuditAction.ApiKeyRevoked }),
    );

    const missing = build(AccountRole.Owner, { revoke: () => Promise.resolve(null) }).service.revokeKey(
      actor,
      'a1',
      'k9',
      audit,
    );
    await expect(missing).rejects.toThrow(ApiKeyNotFoundError);
    await expect(missing).rejects.toHaveProperty('code', 'API_KEY_NOT_FOUND');
  });

  describe('authenticate', () => {
    const secret = 'lk_0123456789ab_secret';

    afterEach(() => jest.restoreAllMocks());

    it('refuses a secret without the key prefix, without a lookup', async () => {
      const attempt = build(null).service.authenticate('0123456789ab_secret');
      await expect(attempt).rejects.toThrow(InvalidApiKeyError);
      await expect(attempt).rejects.toHaveProperty('code', 'INVALID_API_KEY');
    });

    it('looks the key up by the hash of the secret and refuses an unknown or revoked one', async () => {
      const findLiveBySecretHash = jest.fn().mockResolvedValue(null);
      await expect(build(null, { findLiveBySecretHash }).service.authenticate(secret)).rejects.toThrow(
        InvalidApiKeyError,
      );
      expect(findLiveBySecretHash).toHaveBeenCalledWith(hashSecret(secret));
    });

    it('speaks for the account as its creator, with the key scopes and never more than the user role', async () => {
      const { service } = build(null, {
        findLiveBySecretHash: () => Promise.resolve(identity),
        touch: () => Promise.resolve(),
      });
      await expect(service.authenticate(secret)).resolves.toEqual({
        kind: 'api-key',
        id: 'creator',
        role: UserRole.User,
        keyId: 'k1',
        accountId: 'a1',
        scopes: ['posts:read'],
      });
    });

    it('notes each use by the statement that writes at most once a minute, and survives a failed note', async () => {
      const touch = jest.fn().mockRejectedValue(new Error('database away'));
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
      const { service } = build(null, { findLiveBySecretHash: () => Promise.resolve(identity), touch });

      await expect(service.authenticate(secret)).resolves.toHaveProperty('keyId', 'k1');
      expect(touch).toHaveBeenCalledWith('k1', new Date(1_000_000), TOUCH_INTERVAL_MS);
      expect(TOUCH_INTERVAL_MS).toBe(60_000);
      await new Promise(setImmediate);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('database away'));
    });
  });
});
