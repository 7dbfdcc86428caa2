import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';
import { v7 as uuidv7 } from 'uuid';

import type { Position } from '@/common/pagination/cursor-codec';
import { Columns, preparedStatement, SqlClient, SqlParameter } from '@/database/sql-client';

import {
  POST_ROW_COLUMNS,
  POST_SUMMARY_SELECT,
  SUMMARY_COLUMNS,
  toSummaryRecord,
  VISIBLE,
} from '../posts/post-summary.repository';

const SAVED_POST_SELECT = {
  id: true,
  postId: true,
  createdAt: true,
  post: { select: POST_SUMMARY_SELECT },
} satisfies Prisma.SavedPostSelect;

export type SavedPostRecord = Prisma.SavedPostGetPayload<{ select: typeof SAVED_POST_SELECT }>;

const SAVE_COLUMNS = { save_id: 'uuid', saved_at: 'timestamptz', ...POST_ROW_COLUMNS } satisfies Columns;

/** A page of a user's saves, newest first, each with its post and author; after a save when given. */
function savesOf(
  userId: SqlParameter,
  rows: SqlParameter,
  after?: { savedAt: SqlParameter; id: SqlParameter },
): Prisma.Sql {
  return Prisma.sql`
    SELECT s.id AS save_id, s.created_at AS saved_at, ${SUMMARY_COLUMNS}, NULL::boolean AS saved
      FROM saved_posts s JOIN posts p ON p.id = s.post_id JOIN users u ON u.id = p.author_id
     WHERE s.user_id = ${userId}::uuid AND ${VISIBLE}
       ${after ? Prisma.sql`AND (s.created_at, s.id) < (${after.savedAt}::timestamptz, ${after.id}::uuid)` : Prisma.empty}
     ORDER BY s.created_at DESC, s.id DESC
     LIMIT ${rows}`;
}

const SAVES = preparedStatement<[userId: string, rows: number]>('saved_posts_first', (userId, rows) =>
  savesOf(userId, rows),
).returning(SAVE_COLUMNS);
const SAVES_AFTER = preparedStatement<[userId: string, savedAt: Date, id: string, rows: number]>(
  'saved_posts_after',
  (userId, savedAt, id, rows) => savesOf(userId, rows, { savedAt, id }),
).returning(SAVE_COLUMNS);

@Injectable()
export class SavedPostsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
  ) {}

  /**
   * Saves a post once, if everyone may see it: INSERT ... SELECT ... ON CONFLICT DO NOTHING, so
   * concurrent saves leave one row and none fails. True when this call saved it; false when it was
   * saved already, or there is no such post for the caller (`find` then tells them apart).
   */
  async save(userId: string, postId: string): Promise<boolean> {
    const saved = await this.prisma.$executeRaw`
      INSERT INTO saved_posts (id, user_id, post_id)
      SELECT ${uuidv7()}::uuid, ${userId}::uuid, p.id FROM posts p WHERE p.id = ${postId}::uuid AND ${VISIBLE}
      ON CONFLICT (user_id, post_id) DO NOTHING`;
    return saved === 1;
  }

  /** The caller's save of a post everyone may see (a hidden one, or one of a suspended author, is not found). */
  find(userId: string, postId: string): Promise<SavedPostRecord | null> {
    return this.prisma.savedPost.findFirst({
      where: { userId, postId, post: { visible: true } },
      relationLoadStrategy: 'join',
      select: SAVED_POST_SELECT,
    });
  }

  async remove(userId: string, postId: string): Promise<boolean> {
    const { count } = await this.prisma.savedPost.deleteMany({ where: { userId, postId } });
    return count > 0;
  }

  /** A page of a user's saves, newest save first, each with its post and author: one typed statement. */
  async list(userId: string, limit: number, after?: Position<Date>): Promise<SavedPostRecord[]> {
    const rows = after
      ? await this.sql.run(SAVES_AFTER, [userId, after.key, after.id, limit + 1])
      : await this.sql.run(SAVES, [userId, limit + 1]);
    return rows.map((row) => ({
      id: row.save_id,
      postId: row.id,
      createdAt: row.saved_at,
      post: toSummaryRecord(row),
    }));
  }
}
