import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';

import { InvalidAccessTokenError } from '@/common/auth/auth.errors';
import type { SessionCaller } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import { CallerSession, SessionStateCache } from '@/common/auth/session-state-cache';
import type { ClientInfo } from '@/common/http/client-info';
import { CursorCodec, Keyset } from '@/common/pagination/cursor-codec';
import type { PageDto } from '@/common/pagination/page.dto';
import type { PageQueryDto } from '@/common/pagination/page-query.dto';
import { AppConfig } from '@/config/config.module';
import { Transactions } from '@/database/transactions';

import { AuditAction, AuditActorType, AuditTargetType } from '../audit/audit-actions';
import { AuditContext, SYSTEM, withActor } from '../audit/audit-context';
import { AuditLog } from '../audit/audit-log';
import { toUserDto } from '../users/users.mapper';
import { UsersRepository, UserWithProfileRecord } from '../users/users.repository';
import {
  AccountSuspendedError,
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  SessionNotFoundError,
  TokenReusedError,
  WrongPasswordError,
} from './auth.errors';
import { toSessionDto } from './auth.mapper';
import { AuthRepository, NewSession, SessionRecord } from './auth.repository';
import type { AuthResultDto, SessionDto, TokenPairDto } from './dto/auth.dto';
import type { ChangePasswordDto, LoginDto, RegisterDto } from './dto/auth-input.dto';
import { EmailVerification } from './email-verification';
import { LoginAttempts } from './login-attempts';
import { PasswordChanges } from './password-changes';
import { PasswordHasher } from './password-hasher';
import { ACCESS_TOKEN_TYPE, AccessClaims, AccessTokens, RefreshTokens } from './tokens';

const SESSIONS = Keyset.byId<SessionRecord>('sessions:newest', (session) => session.id);
const DAY_MS = 86_400_000;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

@Injectable()
export class AuthService {
  constructor(
    private readonly transactions: Transactions,
    private readonly auth: AuthRepository,
    private readonly users: UsersRepository,
    private readonly passwords: PasswordHasher,
    private readonly accessTokens: AccessTokens,
    private readonly refreshTokens: RefreshTokens,
    private readonly attempts: LoginAttempts,
    private readonly cursors: CursorCodec,
    private readonly config: AppConfig,
    private readonly callers: SessionStateCache,
    private readonly passwordChanges: PasswordChanges,
    private readonly verification: EmailVerification,
    private readonly audit: AuditLog,
  ) {}

  /** Creates the account (and its profile) with a first session and a verification mail, in one transaction. */
  async register(input: RegisterDto, client: ClientInfo): Promise<AuthResultDto> {
    const passwordHash = await this.passwords.hash(input.password);
    const { session, refreshToken } = this.newSession(client);
    const user = await this.transactions.run(async (tx) => {
      const created = await this.auth.registerUser(
        tx,
        {
          email: normalizeEmail(input.email),
          username: input.username.trim().toLowerCase(),
          passwordHash,
          name: input.name ?? null,
          profile: input.profile,
        },
        session,
      );
      await this.verification.send(tx, created.id, created.email);
      return created;
    });
    return this.authResult(user, session.id, refreshToken);
  }

  /**
   * Same answer, and about the same time, for an unknown email and a wrong password. Failures count
   * per account and per address; past the limit, logins are refused for a while.
   */
  async login(input: LoginDto, client: ClientInfo, audit: AuditContext): Promise<AuthResultDto> {
    const email = normalizeEmail(input.email);
    await this.attempts.waitForTurn(email, client.ip);
    const credentials = await this.auth.findCredentials(email);
    const valid = await this.passwords.verify(credentials?.passwordHash, input.password);
    if (!credentials || !valid) {
      await this.attempts.recordFailure(email, client.ip);
      await this.loginFailed(audit, credentials?.id ?? null, { email });
      throw new InvalidCredentialsError();
    }
    await this.attempts.recordSuccess(email, client.ip);
    if (credentials.suspendedAt) {
      await this.loginFailed(audit, credentials.id, { email, reason: 'suspended' });
      throw new AccountSuspendedError();
    }
    const { session, refreshToken } = this.newSession(client);
    const event = this.audit.event(withActor(audit, { type: AuditActorType.User, id: credentials.id }), {
      action: AuditAction.LoginSucceeded,
      target: { type: AuditTargetType.User, id: credentials.id },
      metadata: { sessionId: session.id },
    });
    const user = await this.auth.openSession(credentials.id, session, event);
    if (!user) {
      throw new InvalidCredentialsError();
    }
    return this.authResult(user, session.id, refreshToken);
  }

  /**
   * Exchanges a refresh token for a new pair (rotation). A token that was already exchanged revokes
   * its whole session: someone else may hold it (RFC 9700 4.14.2).
   */
  async refresh(token: string): Promise<TokenPairDto> {
    const parts = this.refreshTokens.parse(token);
    if (!parts) {
      throw new InvalidRefreshTokenError();
    }
    const state = await this.auth.findSessionState(parts.sessionId);
    if (!state || state.revokedAt || state.expiresAt <= new Date()) {
      throw new InvalidRefreshTokenError();
    }
    const presentedHash = RefreshTokens.hash(token);
    const next = this.refreshTokens.issue(state.id, state.rotationCounter + 1);
    const current = parts.counter === state.rotationCounter && presentedHash === state.refreshTokenHash;
    if (!current || !(await this.auth.rotate(state.id, state.rotationCounter, presentedHash, next.hash))) {
      await this.endSession(state.id);
      throw new TokenReusedError();
    }
    return this.tokenPair(state.userId, state.role, state.id, next.token);
  }

  async logout(actor: SessionCaller, audit: AuditContext): Promise<void> {
    await this.endSession(actor.sessionId, actor.id, { context: audit, action: AuditAction.Logout });
  }

  async listSessions(actor: SessionCaller, page: PageQueryDto): Promise<PageDto<SessionDto>> {
    return this.cursors.page(
      SESSIONS,
      page,
      (afterId) => this.auth.listLiveSessions(actor.id, page.limit, afterId),
      (row) => toSessionDto(row, actor.sessionId),
    );
  }

  /** Revokes one of the caller's sessions; another user's session is not found. */
  async revokeSession(actor: SessionCaller, sessionId: string, audit: AuditContext): Promise<void> {
    if (
      !(await this.endSession(sessionId, actor.id, { context: audit, action: AuditAction.SessionRevoked }))
    ) {
      throw new SessionNotFoundError();
    }
  }

  /** Needs the current password; every other session of the user is revoked, and a notice mailed. */
  async changePassword(actor: SessionCaller, input: ChangePasswordDto, audit: AuditContext): Promise<void> {
    const credentials = await this.auth.findCredentialsById(actor.id);
    if (!credentials || !(await this.passwords.verify(credentials.passwordHash, input.currentPassword))) {
      throw new WrongPasswordError();
    }
    const passwordHash = await this.passwords.hash(input.newPassword);
    await this.passwordChanges.change(
      () => Promise.resolve(actor.id),
      passwordHash,
      { context: audit, action: AuditAction.PasswordChanged },
      actor.sessionId,
    );
  }

  /**
   * Who a bearer access token speaks for, checked exactly as the HTTP guard checks it (signature,
   * expiry, then `authenticate`), and when it expires (epoch ms).
   */
  async authenticateToken(token: string): Promise<{ caller: SessionCaller; expiresAt: number }> {
    const claims = await this.accessTokens.verify(token);
    return { caller: await this.authenticate(claims), expiresAt: (claims.exp ?? 0) * 1000 };
  }

  /** Who an access token speaks for, checked against its session and the user's current role. */
  async authenticate(claims: Partial<AccessClaims>): Promise<SessionCaller> {
    if (claims.typ !== ACCESS_TOKEN_TYPE || typeof claims.exp !== 'number' || !claims.sid || !claims.sub) {
      throw new InvalidAccessTokenError('invalid');
    }
    const state = await this.callers.find(claims.sid, (id) => this.findCallerSession(id));
    if (!state || state.userId !== claims.sub || state.revokedAt || state.expiresAt <= new Date()) {
      throw new InvalidAccessTokenError('invalid');
    }
    return { kind: 'user', id: state.userId, role: state.role, sessionId: state.id };
  }

  /**
   * Makes an existing user a platform admin (recorded as the service's own change: the admin command
   * runs it); the user's id, or null when no user has that email.
   */
  async promoteAdmin(email: string): Promise<string | null> {
    const existing = await this.users.findByEmail(normalizeEmail(email));
    if (!existing) {
      return null;
    }
    await this.transactions.run(async (tx) => {
      const changed = await this.users.updateRole(tx, existing.id, UserRole.Admin);
      if (changed && changed.previousRole !== UserRole.Admin) {
        await this.audit.record(tx, SYSTEM, {
          action: AuditAction.RoleChanged,
          target: { type: AuditTargetType.User, id: existing.id },
          metadata: { role: UserRole.Admin, previousRole: changed.previousRole },
        });
      }
    });
    await this.callers.userChanged(existing.id);
    return existing.id;
  }

  /** For the admin command: promotes an existing user, or creates one, to platform admin. */
  async createOrPromoteAdmin(
    email: string,
    password: string,
    username?: string,
  ): Promise<{ id: string; created: boolean }> {
    const promoted = await this.promoteAdmin(email);
    if (promoted) {
      return { id: promoted, created: false };
    }
    const user = await this.users.create({
      email: normalizeEmail(email),
      username: (username ?? normalizeEmail(email).split('@')[0]).toLowerCase(),
      passwordHash: await this.passwords.hash(password),
      role: UserRole.Admin,
    });
    return { id: user.id, created: true };
  }

  /**
   * Revokes a session (of `userId`, when given); false when there was no such live session. With
   * `audit`, the revocation is recorded in its transaction.
   */
  private async endSession(
    id: string,
    userId?: string,
    audit?: { context: AuditContext; action: AuditAction.Logout | AuditAction.SessionRevoked },
  ): Promise<boolean> {
    const revoked = audit
      ? await this.transactions.run(async (tx) => {
          const ended = await this.auth.revokeSession(tx, id, userId);
          if (ended) {
            await this.audit.record(tx, audit.context, {
              action: audit.action,
              target: { type: AuditTargetType.Session, id },
            });
          }
          return ended;
        })
      : await this.auth.revokeSession(undefined, id, userId);
    await this.callers.sessionEnded(id);
    return revoked;
  }

  /** A refused login, recorded on its own (it changes nothing else): the user when the email is one's. */
  private loginFailed(
    audit: AuditContext,
    userId: string | null,
    metadata: { email: string; reason?: string },
  ): Promise<void> {
    return this.audit.record(undefined, withActor(audit, { type: AuditActorType.User, id: null }), {
      action: AuditAction.LoginFailed,
      target: { type: AuditTargetType.User, id: userId },
      metadata,
    });
  }

  /** What the session check keeps of a session: never its refresh token's hash. */
  private async findCallerSession(id: string): Promise<CallerSession | null> {
    const state = await this.auth.findSessionState(id);
    return (
      state && {
        id: state.id,
        userId: state.userId,
        role: state.role,
        revokedAt: state.revokedAt,
        expiresAt: state.expiresAt,
      }
    );
  }

  private newSession(client: ClientInfo): { session: NewSession; refreshToken: string } {
    const id = uuidv7();
    const { token, hash } = this.refreshTokens.issue(id, 0);
    const ttlDays = this.config.get('SESSION_TTL_DAYS', { infer: true });
    return {
      session: {
        id,
        refreshTokenHash: hash,
        userAgent: client.userAgent,
        ip: client.ip,
        expiresAt: new Date(Date.now() + ttlDays * DAY_MS),
      },
      refreshToken: token,
    };
  }

  private async authResult(
    user: UserWithProfileRecord,
    sessionId: string,
    refreshToken: string,
  ): Promise<AuthResultDto> {
    return { user: toUserDto(user), ...(await this.tokenPair(user.id, user.role, sessionId, refreshToken)) };
  }

  private async tokenPair(
    userId: string,
    role: UserRole,
    sessionId: string,
    refreshToken: string,
  ): Promise<TokenPairDto> {
    return {
      accessToken: await this.accessTokens.sign(userId, role, sessionId),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.accessTokens.ttlSeconds,
    };
  }
}
