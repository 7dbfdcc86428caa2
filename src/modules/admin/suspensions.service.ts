import { Injectable } from '@nestjs/common';

import { assertAdmin } from '@/common/auth/assert-admin';
import type { AuthUser } from '@/common/auth/auth-user';
import { SessionStateCache } from '@/common/auth/session-state-cache';
import { ConflictError } from '@/common/errors/domain-error';
import { Clock } from '@/common/time/clock';
import { Transactions } from '@/database/transactions';

import { AuditAction, AuditTargetType } from '../audit/audit-actions';
import type { AuditContext } from '../audit/audit-context';
import { AuditLog } from '../audit/audit-log';
import { AuthRepository } from '../auth/auth.repository';
import { UserNotFoundError } from '../users/users.errors';
import { UsersRepository } from '../users/users.repository';
import { SuspensionsRepository } from './suspensions.repository';

export class CannotSuspendSelfError extends ConflictError {
  constructor() {
    super('CANNOT_SUSPEND_SELF', 'An admin cannot suspend their own account.');
  }
}

/**
 * Suspension (platform admins): in one transaction the user is marked, their posts withheld, every
 * session revoked (the same revocation as a password change's) and the audit event written; once it
 * commits, the session check forgets the user on every instance, and their sockets are closed.
 * Suspending a suspended user, or lifting a suspension that is not there, changes nothing.
 */
@Injectable()
export class SuspensionsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly suspensions: SuspensionsRepository,
    private readonly auth: AuthRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditLog,
    private readonly callers: SessionStateCache,
    private readonly clock: Clock,
  ) {}

  async suspend(actor: AuthUser, userId: string, reason: string, context: AuditContext): Promise<void> {
    assertAdmin(actor);
    if (actor.id === userId) {
      throw new CannotSuspendSelfError();
    }
    const suspended = await this.transactions.run(async (tx) => {
      if (!(await this.suspensions.suspend(tx, userId, reason, this.clock.now()))) {
        return false;
      }
      const sessions = await this.auth.revokeSessions(tx, userId);
      await this.audit.record(tx, context, {
        action: AuditAction.UserSuspended,
        target: { type: AuditTargetType.User, id: userId },
        metadata: { reason, revokedSessions: sessions },
      });
      return true;
    });
    if (!suspended) {
      return this.assertExists(userId);
    }
    await this.callers.userChanged(userId);
  }

  async unsuspend(actor: AuthUser, userId: string, context: AuditContext): Promise<void> {
    assertAdmin(actor);
    const lifted = await this.transactions.run(async (tx) => {
      if (!(await this.suspensions.unsuspend(tx, userId))) {
        return false;
      }
      await this.audit.record(tx, context, {
        action: AuditAction.UserUnsuspended,
        target: { type: AuditTargetType.User, id: userId },
      });
      return true;
    });
    if (!lifted) {
      await this.assertExists(userId);
    }
  }

  /** Nothing changed: the user was already in the state asked for, or there is no such user (404). */
  private async assertExists(userId: string): Promise<void> {
    if (!(await this.users.exists(userId))) {
      throw new UserNotFoundError();
    }
  }
}
