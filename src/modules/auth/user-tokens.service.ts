import { createHash, randomBytes } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { Clock } from '@/common/time/clock';
import type { Transaction } from '@/database/sql-executor';

import { InvalidTokenError } from './auth.errors';
import { RedeemedToken, TokenPurpose, UserTokensRepository } from './user-tokens.repository';

const MINUTE_MS = 60_000;

/** How long a mailed link works. */
export const TOKEN_LIFETIME_MS: Record<TokenPurpose, number> = {
  PASSWORD_RESET: 30 * MINUTE_MS,
  EMAIL_VERIFICATION: 24 * 60 * MINUTE_MS,
  EMAIL_CHANGE: 24 * 60 * MINUTE_MS,
};

/** A token as issued: 32 random bytes in base64url (43 characters). */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The tokens of mailed links: 32 random bytes, of which only the SHA-256 is stored, each for one
 * purpose and one use before its expiry. Both methods run inside the caller's transaction, so the
 * token exists only with the mail that carries it, and is used up only with the change it makes.
 */
@Injectable()
export class UserTokensService {
  constructor(
    private readonly tokens: UserTokensRepository,
    private readonly clock: Clock,
  ) {}

  static hash(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  /** A new token for `userId`, mailed to `email`; the token itself, which is not kept. */
  async issue(tx: Transaction, purpose: TokenPurpose, userId: string, email: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.clock.now().getTime() + TOKEN_LIFETIME_MS[purpose]);
    await this.tokens.create(tx, {
      userId,
      purpose,
      email,
      tokenHash: UserTokensService.hash(token),
      expiresAt,
    });
    return token;
  }

  /** Uses a token up; InvalidTokenError when it is unknown, used, expired or of another purpose. */
  async redeem(tx: Transaction, purpose: TokenPurpose, token: string): Promise<RedeemedToken> {
    const redeemed = TOKEN_PATTERN.test(token)
      ? await this.tokens.consume(tx, purpose, UserTokensService.hash(token), this.clock.now())
      : null;
    if (!redeemed) {
      throw new InvalidTokenError();
    }
    return redeemed;
  }

  /** Voids a user's other unused tokens of `purpose`. */
  voidOthers(tx: Transaction, purpose: TokenPurpose, userId: string): Promise<void> {
    return this.tokens.voidAll(tx, userId, purpose, this.clock.now());
  }
}
