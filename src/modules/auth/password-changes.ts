import { Injectable } from '@nestjs/common';
import { SessionStateCache } from '../../common/auth/session-state-cache';
import type { Transaction } from '../../database/sql-executor';
import { Transactions } from '../../database/transactions';
import { MailService } from '../../mail/mail.service';
import { UserNotFoundError } from '../users/users.errors';
import { AuthRepository } from './auth.repository';

/**
 * The one path by which a password changes, for a signed-in change and for a reset alike: in one
 * transaction, whatever names the user (`target`: the caller, or a reset token used up), the new
 * hash, the revocation of every session but `keepSessionId`, and the "your password was changed"
 * mail; once committed, the session check forgets the user's sessions (on every instance).
 */
@Injectable()
export class PasswordChanges {
  constructor(
    private readonly transactions: Transactions,
    private readonly auth: AuthRepository,
    private readonly mail: MailService,
    private readonly callers: SessionStateCache,
  ) {}

  async change(
    target: (tx: Transaction) => Promise<string>,
    passwordHash: string,
    keepSessionId?: string,
  ): Promise<void> {
    const userId = await this.transactions.run(async (tx) => {
      const id = await target(tx);
      const email = await this.auth.setPassword(tx, id, passwordHash, keepSessionId);
      if (email === null) {
        throw new UserNotFoundError();
      }
      await this.mail.send({ to: email, template: 'password-changed', vars: {} }, { transaction: tx });
      return id;
    });
    await this.callers.userChanged(userId);
  }
}
