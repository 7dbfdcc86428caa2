import { Injectable } from '@nestjs/common';

import type { Transaction } from '@/database/sql-executor';
import { MailService } from '@/mail/mail.service';

import { UserTokensService } from './user-tokens.service';

/** The page of the web application that a verification link opens. */
export const VERIFY_EMAIL_PATH = '/verify-email';

/**
 * Mails a single-use link that verifies an address: at sign-up, in the transaction that creates the
 * account, and on request (account recovery), in a transaction of its own.
 */
@Injectable()
export class EmailVerification {
  constructor(
    private readonly tokens: UserTokensService,
    private readonly mail: MailService,
  ) {}

  async send(tx: Transaction, userId: string, email: string): Promise<void> {
    const token = await this.tokens.issue(tx, 'EMAIL_VERIFICATION', userId, email);
    const link = this.mail.link(VERIFY_EMAIL_PATH, token);
    await this.mail.send({ to: email, template: 'email-verification', vars: { link } }, { transaction: tx });
  }
}
