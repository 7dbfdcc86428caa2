import { Injectable, OnModuleInit } from '@nestjs/common';

import type { SessionCaller } from '@/common/auth/auth-user';
import type { ClientInfo } from '@/common/http/client-info';
import { Clock } from '@/common/time/clock';
import { Transactions } from '@/database/transactions';
import { JobsService } from '@/jobs/jobs.service';
import { Queue } from '@/jobs/queue';
import { MailService } from '@/mail/mail.service';

import { AuditAction } from '../audit/audit-actions';
import type { AuditContext } from '../audit/audit-context';
import { InvalidTokenError, WrongPasswordError } from '../auth/auth.errors';
import { AuthRepository } from '../auth/auth.repository';
import { EmailVerification } from '../auth/email-verification';
import { PasswordChanges } from '../auth/password-changes';
import { PasswordHasher } from '../auth/password-hasher';
import { UserTokensService } from '../auth/user-tokens.service';
import { EmailTakenError } from '../users/users.errors';
import { UsersRepository } from '../users/users.repository';
import type { EmailChangeDto, PasswordResetDto } from './dto/recovery-input.dto';
import { MailRequestLimits } from './mail-request-limits';

/**
 * A forgotten-password request, looked up off the request path: the request does the same work
 * (count it, enqueue this) whether or not an account has the address, so neither its answer nor its
 * time tells.
 */
export const PASSWORD_RESET_REQUEST_QUEUE = new Queue<{ email: string }>('password-reset-request', {
  retryLimit: 5,
  retryDelaySeconds: 5,
  retryBackoff: true,
  expireInSeconds: 60,
});

/** The pages of the web application that mailed links open. */
export const LINK_PATHS = {
  resetPassword: '/reset-password',
  confirmEmail: '/confirm-email',
} as const;

/**
 * Account recovery and email ownership: password reset by mail, email verification, and the change
 * of address (confirmed from the new address, announced to the old). Every mail is a job enqueued in
 * the transaction of the change that causes it; every link is a single-use token (UserTokensService).
 */
@Injectable()
export class RecoveryService implements OnModuleInit {
  constructor(
    private readonly transactions: Transactions,
    private readonly tokens: UserTokensService,
    private readonly mail: MailService,
    private readonly jobs: JobsService,
    private readonly limits: MailRequestLimits,
    private readonly auth: AuthRepository,
    private readonly users: UsersRepository,
    private readonly passwords: PasswordHasher,
    private readonly passwordChanges: PasswordChanges,
    private readonly verification: EmailVerification,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register(PASSWORD_RESET_REQUEST_QUEUE, ({ email }) => this.mailResetLink(email));
  }

  /** Always accepted alike; a link is mailed (by a job) when an account has the address and no limit is hit. */
  async forgotPassword(email: string, client: ClientInfo): Promise<void> {
    if (await this.limits.allow(email, client.ip)) {
      await this.jobs.send(PASSWORD_RESET_REQUEST_QUEUE, { email });
    }
  }

  /** The job of a forgotten-password request: a reset link for the account of `email`, if any. */
  async mailResetLink(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user) {
      return;
    }
    await this.transactions.run(async (tx) => {
      const token = await this.tokens.issue(tx, 'PASSWORD_RESET', user.id, user.email);
      const link = this.mail.link(LINK_PATHS.resetPassword, token);
      await this.mail.send(
        { to: user.email, template: 'password-reset', vars: { link } },
        { transaction: tx },
      );
    });
  }

  /** Sets the password of the token's user by the path of every password change; the other reset links die. */
  async resetPassword(input: PasswordResetDto, audit: AuditContext): Promise<void> {
    const passwordHash = await this.passwords.hash(input.newPassword);
    await this.passwordChanges.change(
      async (tx) => {
        const { userId } = await this.tokens.redeem(tx, 'PASSWORD_RESET', input.token);
        await this.tokens.voidOthers(tx, 'PASSWORD_RESET', userId);
        return userId;
      },
      passwordHash,
      { context: audit, action: AuditAction.PasswordReset },
    );
  }

  /** A new verification link for the caller; nothing when the address is verified already or a limit is hit. */
  async requestVerification(actor: SessionCaller, client: ClientInfo): Promise<void> {
    const user = await this.users.findById(actor.id);
    if (!user || user.emailVerifiedAt || !(await this.limits.allow(user.email, client.ip))) {
      return;
    }
    await this.transactions.run((tx) => this.verification.send(tx, user.id, user.email));
  }

  /** Verifies the address the token was mailed to, if it is still the user's. */
  async verifyEmail(token: string): Promise<void> {
    await this.transactions.run(async (tx) => {
      const { userId, email } = await this.tokens.redeem(tx, 'EMAIL_VERIFICATION', token);
      if (!(await this.auth.markEmailVerified(tx, userId, email, this.clock.now()))) {
        throw new InvalidTokenError();
      }
    });
  }

  /**
   * Needs the current password. A taken address is refused here as registration refuses it (no more
   * is revealed); otherwise a link goes to the new address and a notice to the current one, unless
   * a limit is hit. Nothing changes until the link is used.
   */
  async requestEmailChange(actor: SessionCaller, input: EmailChangeDto, client: ClientInfo): Promise<void> {
    const credentials = await this.auth.findCredentialsById(actor.id);
    if (!credentials || !(await this.passwords.verify(credentials.passwordHash, input.currentPassword))) {
      throw new WrongPasswordError();
    }
    const newEmail = input.newEmail;
    if (newEmail === credentials.email || (await this.users.findByEmail(newEmail))) {
      throw new EmailTakenError();
    }
    if (!(await this.limits.allow(newEmail, client.ip))) {
      return;
    }
    await this.transactions.run(async (tx) => {
      const token = await this.tokens.issue(tx, 'EMAIL_CHANGE', actor.id, newEmail);
      const link = this.mail.link(LINK_PATHS.confirmEmail, token);
      await this.mail.send(
        { to: newEmail, template: 'email-change-confirm', vars: { link, newEmail } },
        { transaction: tx },
      );
      await this.mail.send(
        { to: credentials.email, template: 'email-change-notice', vars: { newEmail } },
        { transaction: tx },
      );
    });
  }

  /** Makes the token's address the user's (EmailTakenError when someone took it meanwhile). */
  async confirmEmailChange(token: string): Promise<void> {
    await this.transactions.run(async (tx) => {
      const { userId, email } = await this.tokens.redeem(tx, 'EMAIL_CHANGE', token);
      if (!(await this.auth.changeEmail(tx, userId, email, this.clock.now()))) {
        throw new InvalidTokenError();
      }
      await this.tokens.voidOthers(tx, 'EMAIL_CHANGE', userId);
    });
  }
}
