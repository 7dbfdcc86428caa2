import { InvalidAccessTokenError } from '@/common/auth/auth.errors';
import { UserRole } from '@/common/auth/roles';
import { SessionStateCache } from '@/common/auth/session-state-cache';
import { CursorCodec } from '@/common/pagination/cursor-codec';
import type { AppConfig } from '@/config/config.module';
import type { Transaction } from '@/database/sql-executor';
import { fakeTransactions } from '@test/helpers/fake-transactions';
import { strictFake } from '@test/helpers/strict-fake';

import { AuditAction, AuditActorType, AuditTargetType } from '../audit/audit-actions';
import type { AuditContext } from '../audit/audit-context';
import type { AuditLog } from '../audit/audit-log';
import type { UsersRepository } from '../users/users.repository';
import {
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  SessionNotFoundError,
  TokenReusedError,
  TooManyLoginAttemptsError,
} from './auth.errors';
import type { AuthRepository, SessionState } from './auth.repository';
import { AuthService } from './auth.service';
import type { EmailVerification } from './email-verification';
import { LoginAttempts } from './login-attempts';
import type { PasswordChanges } from './password-changes';
import type { PasswordHasher } from './password-hasher';
import { AccessTokens, RefreshTokens } from './tokens';

const SETTINGS: Record<string, unknown> = {
  JWT_SECRET: 'unit-test-secret-unit-test-secret-123',
  LOGIN_FAILURE_LIMIT: 2,
  LOGIN_ACCOUNT_FAILURE_LIMIT: 10,
  LOGIN_ADDRESS_FAILURE_LIMIT: 10,
  LOGIN_FAILURE_WINDOW_MS: 60_000,
  SESSION_TTL_DAYS: 30,
  JWT_ACCESS_TTL_SECONDS: 900,
};
const config = strictFake<AppConfig>({ get: (key: string) => SETTINGS[key] });
const client = { ip: '192.0.2.1', userAgent: 'jest' };
const anonymous: AuditContext = {
  actor: { type: AuditActorType.User, id: null },
  ip: client.ip,
  requestId: 'r1',
};
const tx = {} as Transaction;

function build(
  repository: Partial<AuthRepository>,
  hasher: Partial<PasswordHasher> = {},
  callers = new SessionStateCache(0),
  record: AuditLog['record'] = () => Promise.resolve(),
) {
  const refreshTokens = new RefreshTokens(config);
  const accessTokens = strictFake<AccessTokens>({
    sign: () => Promise.resolve('access-token'),
    ttlSeconds: 900,
  });
  const attempts = new LoginAttempts(config);
  const service = new AuthService(
    fakeTransactions(tx),
    strictFake<AuthRepository>(repository),
    strictFake<UsersRepository>({}),
    strictFake<PasswordHasher>(hasher),
    accessTokens,
    refreshTokens,
    attempts,
    new CursorCodec('cursor-secret'),
    config,
    callers,
    strictFake<PasswordChanges>({}),
    strictFake<EmailVerification>({}),
    strictFake<AuditLog>({ record }),
  );
  return { service, refreshTokens, attempts };
}

function session(overrides: Partial<SessionState> = {}): SessionState {
  return {
    id: '01a211c9-1a9b-75ac-b9ae-a6a4b4890a9a',
    userId: '01a211c9-1ada-701a-b52d-5e455dc3d299',
    role: UserRole.User,
    rotationCounter: 3,
    refreshTokenHash: 'unused',
    revokedAt: null,
    expiresAt: new Date(Date.now() + 60_000),
    ...overrides,
  };
}

describe(AuthService.name, () => {
  describe('login', () => {
    it('checks a password even for an unknown email, and counts the failure', async () => {
      const verify = jest.fn().mockResolvedValue(false);
      const { service, attempts } = build({ findCredentials: () => Promise.resolve(null) }, { verify });
      await expect(
        service.login({ email: 'Nobody@Example.com', password: 'x' }, client, anonymous),
      ).rejects.toThrow(InvalidCredentialsError);
      expect(verify).toHaveBeenCalledWith(undefined, 'x');
      await expect(
        service.login({ email: 'nobody@example.com', password: 'x' }, client, anonymous),
      ).rejects.toThrow(InvalidCredentialsError);
      // Counted as for any account: that address is now refused for that email, another is not.
      await expect(attempts.reserve('nobody@example.com', client.ip)).rejects.toThrow(
        TooManyLoginAttemptsError,
      );
      await expect(attempts.reserve('nobody@example.com', '198.51.100.7')).resolves.toBe(0);
    });

    it('refuses a blocked account before reading anything', async () => {
      const { service, attempts } = build({});
      await attempts.recordFailure('a@example.com', client.ip);
      await attempts.recordFailure('a@example.com', client.ip);
      await expect(
        service.login({ email: 'a@example.com', password: 'right' }, client, anonymous),
      ).rejects.toThrow(TooManyLoginAttemptsError);
    });

    it('records a failed login on its own, naming the user of the email and no actor', async () => {
      const record = jest.fn().mockResolvedValue(undefined);
      const credentials = {
        id: 'u1',
        email: 'a@example.com',
        role: UserRole.User,
        passwordHash: 'hash',
        suspendedAt: null,
      };
      const signedIn: AuditContext = { ...anonymous, actor: { type: AuditActorType.User, id: 'someone' } };
      const { service } = build(
        { findCredentials: () => Promise.resolve(credentials) },
        { verify: () => Promise.resolve(false) },
        new SessionStateCache(0),
        record,
      );
      await expect(
        service.login({ email: 'A@example.com', password: 'wrong' }, client, signedIn),
      ).rejects.toThrow(InvalidCredentialsError);
      expect(record).toHaveBeenCalledWith(undefined, anonymous, {
        action: AuditAction.LoginFailed,
        target: { type: AuditTargetType.User, id: 'u1' },
        metadata: { email: 'a@example.com' },
      });
    });
  });

  describe('refresh', () => {
    it('refuses a token it did not issue, and revokes nothing', async () => {
      const { service } = build({});
      await expect(service.refresh('a.b.c.d')).rejects.toThrow(InvalidRefreshTokenError);
      await expect(service.refresh('garbage')).rejects.toThrow(InvalidRefreshTokenError);
    });

    it('revokes the session when an earlier token comes back', async () => {
      const revokeSession = jest.fn().mockResolvedValue(true);
      const { service, refreshTokens } = build({
        findSessionState: () => Promise.resolve(session({ rotationCounter: 3 })),
        revokeSession,
      });
      const stale = refreshTokens.issue(session().id, 2).token;
      await expect(service.refresh(stale)).rejects.toThrow(TokenReusedError);
      expect(revokeSession).toHaveBeenCalledWith(undefined, session().id, undefined);
    });

    it('revokes the session when it loses a race to rotate the same token', async () => {
      const { service, refreshTokens } = build({
        findSessionState: () => Promise.resolve(session({ refreshTokenHash: RefreshTokens.hash(token) })),
        rotate: () => Promise.resolve(false),
        revokeSession: () => Promise.resolve(true),
      });
      const token = refreshTokens.issue(session().id, 3).token;
      await expect(service.refresh(token)).rejects.toThrow(TokenReusedError);
    });

    it('rotates the current token into a new pair', async () => {
      let token = '';
      const rotate = jest.fn().mockResolvedValue(true);
      const { service, refreshTokens } = build({
        findSessionState: () => Promise.resolve(session({ refreshTokenHash: RefreshTokens.hash(token) })),
        rotate,
      });
      token = refreshTokens.issue(session().id, 3).token;
      const pair = await service.refresh(token);
      expect(pair).toMatchObject({ accessToken: 'access-token', tokenType: 'Bearer', expiresIn: 900 });
      expect(refreshTokens.parse(pair.refreshToken)).toEqual({ sessionId: session().id, counter: 4 });
      expect(rotate).toHaveBeenCalledWith(
        session().id,
        3,
        RefreshTokens.hash(token),
        RefreshTokens.hash(pair.refreshToken),
      );
    });

    it('refuses a token of a revoked or expired session', async () => {
      for (const state of [
        session({ revokedAt: new Date() }),
        session({ expiresAt: new Date(Date.now() - 1) }),
      ]) {
        const { service, refreshTokens } = build({ findSessionState: () => Promise.resolve(state) });
        await expect(service.refresh(refreshTokens.issue(state.id, 3).token)).rejects.toThrow(
          InvalidRefreshTokenError,
        );
      }
    });
  });

  describe('revoking a session', () => {
    const caller = { kind: 'user' as const, id: 'u1', role: UserRole.User, sessionId: session().id };

    it('records the revocation in its transaction, and nothing when there was no live session', async () => {
      const record = jest.fn().mockResolvedValue(undefined);
      const revokeSession = jest.fn().mockResolvedValueOnce(true).mockResolvedValueOnce(false);
      const { service } = build({ revokeSession }, {}, new SessionStateCache(0), record);

      await service.revokeSession(caller, 's2', anonymous);
      expect(revokeSession).toHaveBeenLastCalledWith(tx, 's2', 'u1');
      expect(record).toHaveBeenCalledWith(tx, anonymous, {
        action: AuditAction.SessionRevoked,
        target: { type: AuditTargetType.Session, id: 's2' },
      });
      record.mockClear();
      await expect(service.revokeSession(caller, 's3', anonymous)).rejects.toThrow(SessionNotFoundError);
      expect(record).not.toHaveBeenCalled();
    });
  });

  describe('authenticate', () => {
    const claims = {
      sub: session().userId,
      sid: session().id,
      role: UserRole.User,
      typ: 'access' as const,
      exp: 1,
    };

    it('takes the role from the database, not from the token', async () => {
      const { service } = build({
        findSessionState: () => Promise.resolve(session({ role: UserRole.Admin })),
      });
      await expect(service.authenticate(claims)).resolves.toEqual({
        kind: 'user',
        id: session().userId,
        role: UserRole.Admin,
        sessionId: session().id,
      });
    });

    it.each([
      ['without exp', { ...claims, exp: undefined }],
      ['of another type', { ...claims, typ: 'refresh' }],
      ['without a session', { ...claims, sid: undefined }],
    ])('refuses a token %s', async (_name, given) => {
      const { service } = build({});
      await expect(service.authenticate(given as never)).rejects.toThrow(InvalidAccessTokenError);
    });

    it('takes a session on trust from the cache only until the session is ended', async () => {
      let revokedAt: Date | null = null;
      const findSessionState = jest.fn(() => Promise.resolve(session({ revokedAt })));
      const revokeSession = jest.fn(() => {
        revokedAt = new Date();
        return Promise.resolve(true);
      });
      const { service } = build({ findSessionState, revokeSession }, {}, new SessionStateCache(60_000));
      await service.authenticate(claims);
      await service.authenticate(claims);
      expect(findSessionState).toHaveBeenCalledTimes(1);
      await service.logout(
        { kind: 'user', id: claims.sub, role: UserRole.User, sessionId: claims.sid },
        anonymous,
      );
      await expect(service.authenticate(claims)).rejects.toThrow(InvalidAccessTokenError);
      expect(findSessionState).toHaveBeenCalledTimes(2);
    });

    it('refuses a token of a revoked session or of another user', async () => {
      for (const state of [session({ revokedAt: new Date() }), session({ userId: 'someone-else' })]) {
        const { service } = build({ findSessionState: () => Promise.resolve(state) });
        await expect(service.authenticate(claims)).rejects.toThrow(InvalidAccessTokenError);
      }
    });
  });
});
