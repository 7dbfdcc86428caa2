import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { isUUID } from 'class-validator';
import { PrismaService } from 'nestjs-prisma';

import type { UserRole } from '@/common/auth/roles';
import { classifyPrismaError } from '@/database/prisma-errors';
import { column, Columns, preparedStatement, RowOf, SqlClient } from '@/database/sql-client';
import { FOREIGN_KEY_VIOLATION, sqlStateOf } from '@/database/sql-errors';
import type { Transaction } from '@/database/sql-executor';

import type { AuditEventRecord } from '../audit/audit.repository';
import { auditEventInsert, auditEventRow } from '../audit/audit.repository';
import { PROFILE_SELECT } from '../profiles/profiles.repository';
import type { NewUser, UserWithProfileRecord } from '../users/users.repository';
import {
  toUserWithProfile,
  translateUserConflict,
  USER_SELECT,
  USER_WITH_PROFILE_COLUMNS,
  USER_WITH_PROFILE_SQL,
} from '../users/users.repository';

const SESSION_SELECT = {
  id: true,
  userAgent: true,
  ip: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
} satisfies Prisma.SessionSelect;

export type SessionRecord = Prisma.SessionGetPayload<{ select: typeof SESSION_SELECT }>;

export interface NewSession {
  id: string;
  refreshTokenHash: string;
  userAgent: string | null;
  ip: string | null;
  expiresAt: Date;
}

export interface Credentials {
  id: string;
  email: string;
  role: UserRole;
  passwordHash: string;
  suspendedAt: Date | null;
}

const CREDENTIALS_SELECT = {
  id: true,
  email: true,
  role: true,
  passwordHash: true,
  suspendedAt: true,
} satisfies Prisma.UserSelect;

const SESSION_STATE_COLUMNS = {
  id: 'uuid',
  userId: 'uuid',
  role: column('text').as<UserRole>(),
  rotationCounter: 'int4',
  refreshTokenHash: 'text',
  revokedAt: 'timestamptz?',
  expiresAt: 'timestamptz',
} satisfies Columns;

/** The state of a session that decides whether a token of it is still good. */
export type SessionState = RowOf<typeof SESSION_STATE_COLUMNS>;

/** A session with its user's current role: read on every authenticated request (one indexed lookup). */
const SESSION_STATE = preparedStatement<[id: string]>(
  'session_state',
  (id) => Prisma.sql`
    SELECT s.id, s.user_id AS "userId", u.role::text AS role, s.rotation_counter AS "rotationCounter",
           s.refresh_token_hash AS "refreshTokenHash", s.revoked_at AS "revokedAt", s.expires_at AS "expiresAt"
      FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id = ${id}::uuid`,
).returning(SESSION_STATE_COLUMNS);

/**
 * A login's writes and read in one round trip: the session, its audit event (both or neither: one
 * statement), and the user with profile that the answer shows.
 */
const OPEN_SESSION = preparedStatement<
  [
    id: string,
    userId: string,
    refreshTokenHash: string,
    userAgent: string | null,
    ip: string | null,
    expiresAt: Date,
    auditEvent: string,
  ]
>(
  'sessions_open',
  (id, userId, refreshTokenHash, userAgent, ip, expiresAt, auditEvent) => Prisma.sql`
    WITH session AS (
      INSERT INTO sessions (id, user_id, refresh_token_hash, user_agent, ip, expires_at)
      SELECT ${id}::uuid, u.id, ${refreshTokenHash}::text, ${userAgent}::text, ${ip}::text, ${expiresAt}::timestamptz
        FROM users u WHERE u.id = ${userId}::uuid
      RETURNING user_id),
    audit AS (${auditEventInsert(auditEvent, Prisma.sql`EXISTS (SELECT 1 FROM session)`)})
    SELECT ${USER_WITH_PROFILE_SQL}
      FROM session s JOIN users u ON u.id = s.user_id LEFT JOIN profiles pr ON pr.user_id = u.id`,
).returning(USER_WITH_PROFILE_COLUMNS);

/** Credentials and sessions: everything authentication reads and writes. */
@Injectable()
export class AuthRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
  ) {}

  /**
   * Creates a user, its optional profile and its first session in one write, in `tx`; EmailTakenError
   * or UsernameTakenError when another user has either.
   */
  async registerUser(tx: Transaction, user: NewUser, session: NewSession): Promise<UserWithProfileRecord> {
    const { profile, ...fields } = user;
    try {
      return await tx.user.create({
        data: {
          ...fields,
          ...(profile ? { profile: { create: profile } } : {}),
          sessions: { create: session },
        },
        select: { ...USER_SELECT, profile: { select: PROFILE_SELECT } },
      });
    } catch (error) {
      throw translateUserConflict(error);
    }
  }

  findCredentials(email: string): Promise<Credentials | null> {
    return this.prisma.user.findUnique({ where: { email }, select: CREDENTIALS_SELECT });
  }

  findCredentialsById(id: string): Promise<Credentials | null> {
    return this.prisma.user.findUnique({ where: { id }, select: CREDENTIALS_SELECT });
  }

  /**
   * Opens a session for a login and records its audit event, in one statement; answers the user with
   * profile, or null when the user is gone (deleted since its credentials were read: nothing is written).
   */
  async openSession(
    userId: string,
    session: NewSession,
    event: AuditEventRecord,
  ): Promise<UserWithProfileRecord | null> {
    try {
      const [row] = await this.sql.run(OPEN_SESSION, [
        session.id,
        userId,
        session.refreshTokenHash,
        session.userAgent,
        session.ip,
        session.expiresAt,
        auditEventRow(event),
      ]);
      return row ? toUserWithProfile(row) : null;
    } catch (error) {
      if (sqlStateOf(error) === FOREIGN_KEY_VIOLATION) {
        return null;
      }
      throw error;
    }
  }

  /**
   * The session with its user's current role: one indexed lookup, made on every authenticated request,
   * so it is one typed statement (no per-call query compilation).
   */
  async findSessionState(id: string): Promise<SessionState | null> {
    if (!isUUID(id)) {
      return null;
    }
    const rows = await this.sql.run(SESSION_STATE, [id]);
    return rows[0] ?? null;
  }

  /**
   * Moves a session to its next refresh token, only if it still holds the token presented (compare
   * and swap): of two concurrent refreshes with one token, at most one succeeds.
   */
  async rotate(id: string, counter: number, presentedHash: string, nextHash: string): Promise<boolean> {
    const { count } = await this.prisma.session.updateMany({
      where: { id, rotationCounter: counter, refreshTokenHash: presentedHash, revokedAt: null },
      data: { rotationCounter: counter + 1, refreshTokenHash: nextHash, lastUsedAt: new Date() },
    });
    return count === 1;
  }

  /**
   * Revokes a session (of `userId`, when given), in `tx` or on its own given `undefined`; false when
   * there was no such live session.
   */
  async revokeSession(tx: Transaction | undefined, id: string, userId?: string): Promise<boolean> {
    const { count } = await (tx ?? this.prisma).session.updateMany({
      where: { id, ...(userId ? { userId } : {}), revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return count === 1;
  }

  /** A page of a user's live sessions, newest first (UUID v7 ids follow creation order). */
  listLiveSessions(userId: string, limit: number, afterId?: string): Promise<SessionRecord[]> {
    return this.prisma.session.findMany({
      where: {
        userId,
        revokedAt: null,
        expiresAt: { gt: new Date() },
        ...(afterId ? { id: { lt: afterId } } : {}),
      },
      orderBy: { id: 'desc' },
      take: limit + 1,
      select: SESSION_SELECT,
    });
  }

  /**
   * Deletes up to `limit` sessions that can no longer be used: expired, or revoked before
   * `revokedBefore`. One statement per batch (along the indexes on expires_at and revoked_at), so a
   * large backlog never holds many rows locked at once; the count deleted.
   */
  deleteDeadSessions(now: Date, revokedBefore: Date, limit: number): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM sessions WHERE id IN (
        SELECT id FROM sessions
         WHERE expires_at <= ${now}::timestamptz OR revoked_at <= ${revokedBefore}::timestamptz
         LIMIT ${limit}::int)`;
  }

  /**
   * Sets a new password and revokes every session of the user but `keepSessionId` (all of them without
   * it), inside `tx`; the user's email, or null when there is no such user.
   */
  async setPassword(
    tx: Transaction,
    userId: string,
    passwordHash: string,
    keepSessionId?: string,
  ): Promise<string | null> {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { email: true } });
    if (!user) {
      return null;
    }
    await tx.user.update({ where: { id: userId }, data: { passwordHash }, select: { id: true } });
    await this.revokeSessions(tx, userId, keepSessionId);
    return user.email;
  }

  /**
   * Revokes every live session of the user but `keepSessionId` (all of them without it), inside `tx`:
   * the one way a user's sessions end together (a password change or reset, a suspension). Once the
   * transaction commits, `SessionStateCache.userChanged` makes every instance and socket follow.
   */
  async revokeSessions(tx: Transaction, userId: string, keepSessionId?: string): Promise<number> {
    const { count } = await tx.session.updateMany({
      where: { userId, revokedAt: null, ...(keepSessionId ? { id: { not: keepSessionId } } : {}) },
      data: { revokedAt: new Date() },
    });
    return count;
  }

  /** Marks the user's address verified, if it is still `email`; false otherwise. Inside `tx`. */
  async markEmailVerified(tx: Transaction, userId: string, email: string, now: Date): Promise<boolean> {
    const { count } = await tx.user.updateMany({
      where: { id: userId, email },
      data: { emailVerifiedAt: now },
    });
    return count === 1;
  }

  /**
   * Makes `email` the user's address, verified (the link that proves it was just used), inside `tx`;
   * EmailTakenError when another account has it by now, false when the user is gone.
   */
  async changeEmail(tx: Transaction, userId: string, email: string, now: Date): Promise<boolean> {
    try {
      await tx.user.update({
        where: { id: userId },
        data: { email, emailVerifiedAt: now },
        select: { id: true },
      });
      return true;
    } catch (error) {
      if (classifyPrismaError(error) === 'not_found') {
        return false;
      }
      throw translateUserConflict(error);
    }
  }
}
