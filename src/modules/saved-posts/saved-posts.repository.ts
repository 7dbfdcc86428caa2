import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';
import { classifyPrismaError } from '../../prisma/prisma-errors';
import { POST_SUMMARY_SELECT } from '../posts/posts.repository';

const SAVED_POST_SELECT = {
  id: true,
  postId: true,
  createdAt: true,
  post: { select: POST_SUMMARY_SELECT },
} satisfies Prisma.SavedPostSelect;

export type SavedPostRecord = Prisma.SavedPostGetPayload<{ select: typeof SAVED_POST_SELECT }>;

export type SaveOutcome = 'saved' | 'already_saved' | 'no_post';

@Injectable()
export class SavedPostsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Saves a post once: INSERT ... ON CONFLICT DO NOTHING, so concurrent saves leave one row and
   * none fails. A missing post surfaces as a foreign-key violation.
   */
  async save(userId: string, postId: string): Promise<SaveOutcome> {
    try {
      const { count } = await this.prisma.savedPost.createMany({
        data: [{ userId, postId }],
        skipDuplicates: true,
      });
      return count === 1 ? 'saved' : 'already_saved';
    } catch (error) {
      if (classifyPrismaError(error) === 'foreign_key') {
        return 'no_post';
      }
      throw error;
    }
  }

  find(userId: string, postId: string): Promise<SavedPostRecord | null> {
    return this.prisma.savedPost.findUnique({
      where: { userId_postId: { userId, postId } },
      relationLoadStrategy: 'join',
      select: SAVED_POST_SELECT,
    });
  }

  async remove(userId: string, postId: string): Promise<boolean> {
    const { count } = await this.prisma.savedPost.deleteMany({ where: { userId, postId } });
    return count > 0;
  }

  /** A page of a user's saves, newest save first, each with its post and author: one statement. */
  list(userId: string, limit: number, after?: { savedAt: Date; id: string }): Promise<SavedPostRecord[]> {
    return this.prisma.savedPost.findMany({
      where: {
        userId,
        ...(after
          ? { OR: [{ createdAt: { lt: after.savedAt } }, { createdAt: after.savedAt, id: { lt: after.id } }] }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      relationLoadStrategy: 'join',
      select: SAVED_POST_SELECT,
    });
  }
}
