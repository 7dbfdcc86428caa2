import { Injectable } from '@nestjs/common';

import { SessionStateCache } from '@/common/auth/session-state-cache';
import type { Transaction } from '@/database/sql-executor';
import { Transactions } from '@/database/transactions';
import { MailService } from '@/mail/mail.service';

import { AuditAction, AuditActorType, AuditTargetType } from '../audit/audit-actions';
import { AuditContext, withActor } from '../audit/audit-context';
import { AuditLog } from '../audit/audit-log';
import { UserNotFoundError } from '../users/users.errors';
import { AuthRepository } from './auth.repository';

/**
 * The one path by which a password changes, for a signed-in change and for a reset alike: in one
 * transaction, whatever names the user (`target`: the caller, or a reset token used up), the new
 * hash, the revocation of every session but `keepSessionId`, the "your password was changed" mail
 * and the audit event; once committed, the session check forgets the user's sessions (on every
 * instance).
 */
@Injectable()
export class PasswordChanges {
  constructor(
    private readonly transactions: Transactions,
    private readonly auth: AuthRepository,
    private readonly mail: MailService,
    private readonly callers: SessionStateCache,
    private readonly audit: AuditLog,
  ) {}

  /** `audit.context`: who asked; a reset's anonymous caller is recorded as the user the token names. */
  async change(
    target: (tx: Transaction) => Promise<string>,
    passwordHash: string,
    audit: { context: AuditContext; action: AuditAction.PasswordChanged | AuditAction.PasswordReset },
    keepSessionId?: string,
  ): Promise<void> {
    const userId = await this.transactions.run(async (tx) => {
      const id = await target(tx);
      const email = await this.auth.setPassword(tx, id, passwordHash, keepSessionId);
      if (email === null) {
        throw new UserNotFoundError();
      }
      await this.mail.send({ to: email, template: 'password-changed', vars: {} }, { transaction: tx });
      const anonymous = audit.context.actor.type === AuditActorType.User && audit.context.actor.id === null;
      const context = anonymous ? withActor(audit.context, { type: AuditActorType.User, id }) : audit.context;
      await this.audit.record(tx, context, {
        action: audit.action,
        target: { type: AuditTargetType.User, id },
      });
      return id;
    });
    await this.callers.userChanged(userId);
  }
}
