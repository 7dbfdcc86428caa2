import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';

import type { Transaction } from '@/database/sql-executor';

/** What a mailed link is for; a token of one purpose never works for another. */
export type TokenPurpose = 'PASSWORD_RESET' | 'EMAIL_VERIFICATION' | 'EMAIL_CHANGE';

export interface NewUserToken {
  userId: string;
  purpose: TokenPurpose;
  tokenHash: string;
  email: string;
  expiresAt: Date;
}

/** Whom a consumed token was for, and the address its link was sent to. */
export interface RedeemedToken {
  userId: string;
  email: string;
}

/** The single-use tokens of mailed links (user_tokens): only their hashes. */
@Injectable()
export class UserTokensRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(tx: Transaction, token: NewUserToken): Promise<void> {
    await tx.userToken.create({ data: token, select: { id: true } });
  }

  /**
   * Marks a token used, only if it is of `purpose`, unused and not expired at `now`: one conditional
   * statement, so of concurrent redemptions exactly one gets the row. Null for every other token.
   */
  async consume(
    tx: Transaction,
    purpose: TokenPurpose,
    tokenHash: string,
    now: Date,
  ): Promise<RedeemedToken | null> {
    const rows = await tx.$queryRaw<RedeemedToken[]>(Prisma.sql`
      UPDATE user_tokens SET used_at = ${now}::timestamptz
       WHERE token_hash = ${tokenHash} AND purpose = ${purpose}::"UserTokenPurpose"
         AND used_at IS NULL AND expires_at > ${now}::timestamptz
      RETURNING user_id::text AS "userId", email`);
    return rows[0] ?? null;
  }

  /** Ends every unused token of `purpose` of a user (a reset link that worked voids the others). */
  async voidAll(tx: Transaction, userId: string, purpose: TokenPurpose, now: Date): Promise<void> {
    await tx.userToken.updateMany({
      where: { userId, purpose, usedAt: null },
      data: { usedAt: now },
    });
  }

  /** Deletes up to `limit` tokens that expired before `now` (used or not); the count deleted. */
  deleteExpired(now: Date, limit: number): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM user_tokens WHERE id IN (
        SELECT id FROM user_tokens WHERE expires_at <= ${now}::timestamptz LIMIT ${limit}::int)`;
  }
}
