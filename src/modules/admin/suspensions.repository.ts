import { Injectable } from '@nestjs/common';

import type { Transaction } from '@/database/sql-executor';

@Injectable()
export class SuspensionsRepository {
  /**
   * Suspends the user if they are not already, copying the time onto each of their posts (which the
   * generated `posts.visible` then withholds); in `tx`. Whether this call suspended them.
   */
  async suspend(tx: Transaction, userId: string, reason: string, at: Date): Promise<boolean> {
    const suspended = await tx.$executeRaw`
      UPDATE users SET suspended_at = ${at}::timestamptz, suspended_reason = ${reason}
       WHERE id = ${userId}::uuid AND suspended_at IS NULL`;
    if (suspended === 0) {
      return false;
    }
    // Not through Prisma: its updateMany would move each post's updatedAt, and the posts did not change.
    await tx.$executeRaw`UPDATE posts SET author_suspended_at = ${at}::timestamptz WHERE author_id = ${userId}::uuid`;
    return true;
  }

  /** Lifts the user's suspension, if there is one, and shows their posts again; in `tx`. */
  async unsuspend(tx: Transaction, userId: string): Promise<boolean> {
    const lifted = await tx.$executeRaw`
      UPDATE users SET suspended_at = NULL, suspended_reason = NULL
       WHERE id = ${userId}::uuid AND suspended_at IS NOT NULL`;
    if (lifted === 0) {
      return false;
    }
    await tx.$executeRaw`UPDATE posts SET author_suspended_at = NULL WHERE author_id = ${userId}::uuid`;
    return true;
  }
}
