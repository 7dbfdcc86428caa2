import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';
import { v7 as uuidv7 } from 'uuid';

import type { Position } from '@/common/pagination/cursor-codec';
import { column, Columns, preparedStatement, SqlClient } from '@/database/sql-client';
import { FOREIGN_KEY_VIOLATION, sqlStateOf } from '@/database/sql-errors';
import type { Transaction } from '@/database/sql-executor';

import { PostNotFoundError } from '../posts/posts.errors';
import { ReportAction, ReportReason, ReportStatus } from './report-enums';

const REPORT_SELECT = {
  id: true,
  postId: true,
  reporterId: true,
  reason: true,
  note: true,
  status: true,
  action: true,
  resolutionNote: true,
  resolvedById: true,
  resolvedAt: true,
  createdAt: true,
} satisfies Prisma.ReportSelect;

/** The columns of a report, as `ReportRecord` names them (enums read as text). */
const REPORT_COLUMNS = Prisma.sql`id, post_id AS "postId", reporter_id AS "reporterId", reason::text AS reason,
  note, status::text AS status, action::text AS action, resolution_note AS "resolutionNote",
  resolved_by_id AS "resolvedById", resolved_at AS "resolvedAt", created_at AS "createdAt"`;
const REPORT_ROW = {
  id: 'uuid',
  postId: 'uuid',
  reporterId: 'uuid',
  reason: column('text').as<ReportReason>(),
  note: 'text?',
  status: column('text').as<ReportStatus>(),
  action: column('text?').as<ReportAction | null>(),
  resolutionNote: 'text?',
  resolvedById: 'uuid?',
  resolvedAt: 'timestamptz?',
  createdAt: 'timestamptz',
} satisfies Columns;

export interface ReportRecord {
  id: string;
  postId: string;
  reporterId: string;
  reason: ReportReason;
  note: string | null;
  status: ReportStatus;
  action: ReportAction | null;
  resolutionNote: string | null;
  resolvedById: string | null;
  resolvedAt: Date | null;
  createdAt: Date;
}

/** A report with the account of its post, whose audit shows the resolution. */
export type ReportOfPost = ReportRecord & { postAccountId: string | null };

export interface NewReport {
  postId: string;
  reporterId: string;
  reason: ReportReason;
  note: string | null;
  createdAt: Date;
}

export interface Resolution {
  action: ReportAction;
  resolutionNote: string | null;
  resolvedById: string;
  resolvedAt: Date;
}

/**
 * Files a report of a visible post, or finds the reporter's open one, in one statement: the unique key
 * (post, reporter, open) turns a second open report into an update that changes nothing and returns
 * the row, so concurrent requests give one report and each learns it. No row: no such visible post.
 */
const OPEN_REPORT = preparedStatement<
  [id: string, postId: string, reporterId: string, reason: ReportReason, note: string | null, at: Date]
>(
  'reports_open',
  (id, postId, reporterId, reason, note, at) => Prisma.sql`
    INSERT INTO reports (id, post_id, reporter_id, reason, note, created_at)
    SELECT ${id}::uuid, p.id, ${reporterId}::uuid, ${reason}::"ReportReason", ${note}::text, ${at}::timestamptz
      FROM posts p WHERE p.id = ${postId}::uuid AND p.visible
    ON CONFLICT (post_id, reporter_id, open) DO UPDATE SET open = reports.open
    RETURNING ${REPORT_COLUMNS}, id = ${id}::uuid AS created`,
).returning({ ...REPORT_ROW, created: 'bool' } satisfies Columns);

@Injectable()
export class ReportsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
  ) {}

  /**
   * The reporter's open report of a post: a new one (`created`), or the one already open. Null when the
   * post does not exist or is withheld from the public (hidden, or its author suspended).
   */
  async open(report: NewReport): Promise<{ report: ReportRecord; created: boolean } | null> {
    try {
      const [row] = await this.sql.run(OPEN_REPORT, [
        uuidv7(),
        report.postId,
        report.reporterId,
        report.reason,
        report.note,
        report.createdAt,
      ]);
      if (!row) {
        return null;
      }
      const { created, ...record } = row;
      return { report: record, created };
    } catch (error) {
      // The post was deleted between the statement's read of it and its insert.
      if (sqlStateOf(error) === FOREIGN_KEY_VIOLATION) {
        throw new PostNotFoundError();
      }
      throw error;
    }
  }

  /** A report with its post's account, read in `tx` or on its own given `undefined`. */
  async find(tx: Transaction | undefined, id: string): Promise<ReportOfPost | null> {
    const report = await (tx ?? this.prisma).report.findUnique({
      where: { id },
      select: { ...REPORT_SELECT, post: { select: { accountId: true } } },
    });
    if (!report) {
      return null;
    }
    const { post, ...record } = report;
    return { ...record, postAccountId: post.accountId };
  }

  /**
   * A page of reports with this status: open ones oldest first (the queue), resolved ones newest
   * first; both the order of the (status, created_at, id) index.
   */
  list(status: ReportStatus, limit: number, after?: Position<Date>): Promise<ReportRecord[]> {
    const oldestFirst = status === ReportStatus.Open;
    const direction = oldestFirst ? Prisma.sql`ASC` : Prisma.sql`DESC`;
    const page = after
      ? oldestFirst
        ? Prisma.sql`AND (created_at, id) > (${after.key}::timestamptz, ${after.id}::uuid)`
        : Prisma.sql`AND (created_at, id) < (${after.key}::timestamptz, ${after.id}::uuid)`
      : Prisma.empty;
    return this.sql.query<ReportRecord>(Prisma.sql`
      SELECT ${REPORT_COLUMNS} FROM reports
       WHERE status = ${status}::"ReportStatus" ${page}
       ORDER BY created_at ${direction}, id ${direction}
       LIMIT ${limit + 1}`);
  }

  /**
   * Resolves a report if it is still open: one conditional update, so of two concurrent resolutions
   * one wins and the other finds nothing (null), as it does for an unknown report.
   */
  async resolve(tx: Transaction, id: string, resolution: Resolution): Promise<ReportRecord | null> {
    const [resolved] = await tx.report.updateManyAndReturn({
      where: { id, status: ReportStatus.Open },
      data: { ...resolution, status: ReportStatus.Resolved, open: null },
      select: REPORT_SELECT,
    });
    return resolved ?? null;
  }

  /** Resolves every other open report of a post with the same decision; those it resolved. */
  resolveOthersOfPost(
    tx: Transaction,
    postId: string,
    exceptId: string,
    resolution: Resolution,
  ): Promise<ReportRecord[]> {
    return tx.report.updateManyAndReturn({
      where: { postId, status: ReportStatus.Open, id: { not: exceptId } },
      data: { ...resolution, status: ReportStatus.Resolved, open: null },
      select: REPORT_SELECT,
    });
  }

  /**
   * Hides a post (kept hidden since the first time if it already is), without touching what its author
   * wrote (`updated_at`, `version`). Its row lock also queues concurrent resolutions of the post's
   * reports behind this one. False when there is no such post.
   */
  async hidePost(tx: Transaction, postId: string, at: Date): Promise<boolean> {
    const count = await tx.$executeRaw`
      UPDATE posts SET hidden_at = COALESCE(hidden_at, ${at}::timestamptz) WHERE id = ${postId}::uuid`;
    return count > 0;
  }

  /**
   * Shows a hidden post again, without touching what its author wrote. The post's account and since
   * when it was hidden (null: it was not); null when there is no such post.
   */
  async unhidePost(
    tx: Transaction,
    postId: string,
  ): Promise<{ accountId: string | null; hiddenSince: Date | null } | null> {
    const [post] = await tx.$queryRaw<{ accountId: string | null; hiddenSince: Date | null }[]>`
      SELECT account_id AS "accountId", hidden_at AS "hiddenSince" FROM posts WHERE id = ${postId}::uuid FOR UPDATE`;
    if (post?.hiddenSince) {
      await tx.$executeRaw`UPDATE posts SET hidden_at = NULL WHERE id = ${postId}::uuid`;
    }
    return post ?? null;
  }
}
