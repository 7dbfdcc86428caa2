import { Injectable } from '@nestjs/common';

import { assertAdmin } from '@/common/auth/assert-admin';
import { ApiKeyNotAcceptedError } from '@/common/auth/auth.errors';
import type { AuthUser } from '@/common/auth/auth-user';
import type { Upserted } from '@/common/http/created-or-ok';
import { CursorCodec, Keyset } from '@/common/pagination/cursor-codec';
import type { PageDto } from '@/common/pagination/page.dto';
import { Clock } from '@/common/time/clock';
import type { Transaction } from '@/database/sql-executor';
import { Transactions } from '@/database/transactions';

import { AuditAction, AuditTargetType } from '../audit/audit-actions';
import type { AuditContext } from '../audit/audit-context';
import { AuditLog } from '../audit/audit-log';
import { PostNotFoundError } from '../posts/posts.errors';
import type { ReportDto } from './dto/report.dto';
import type { CreateReportDto, ResolveReportDto } from './dto/report-input.dto';
import type { ListReportsQueryDto } from './dto/report-query.dto';
import { ReportAction, ReportStatus } from './report-enums';
import { ReportAlreadyResolvedError, ReportNotFoundError } from './reports.errors';
import { toReportDto } from './reports.mapper';
import { ReportOfPost, ReportRecord, ReportsRepository, Resolution } from './reports.repository';

const byCreation = (report: ReportRecord) => ({ key: report.createdAt, id: report.id });
/** Two orders, two kinds: a cursor of the open queue is refused on the resolved list and back. */
const OPEN_OLDEST = Keyset.byTime<ReportRecord>('reports:open:oldest', byCreation);
const RESOLVED_NEWEST = Keyset.byTime<ReportRecord>('reports:resolved:newest', byCreation);

/** Users report posts; platform admins work through the open reports and resolve each once. */
@Injectable()
export class ReportsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly reports: ReportsRepository,
    private readonly audit: AuditLog,
    private readonly cursors: CursorCodec,
    private readonly clock: Clock,
  ) {}

  /**
   * Files the caller's report of a post they can see; while they have an open report of the post, that
   * one is the answer (unchanged), so a user weighs once per post in the queue.
   */
  async reportPost(actor: AuthUser, postId: string, input: CreateReportDto): Promise<Upserted<ReportDto>> {
    // People report; the guard already refuses API keys here, and the rule lives with the use case too.
    if (actor.kind !== 'user') {
      throw new ApiKeyNotAcceptedError();
    }
    const opened = await this.reports.open({
      postId,
      reporterId: actor.id,
      reason: input.reason,
      note: input.note ?? null,
      createdAt: this.clock.now(),
    });
    if (!opened) {
      throw new PostNotFoundError();
    }
    return { value: toReportDto(opened.report), created: opened.created };
  }

  async getReport(actor: AuthUser, id: string): Promise<ReportDto> {
    assertAdmin(actor);
    const report = await this.reports.find(undefined, id);
    if (!report) {
      throw new ReportNotFoundError();
    }
    return toReportDto(report);
  }

  /** Open reports oldest first (the queue), resolved ones newest report first. */
  async listReports(actor: AuthUser, query: ListReportsQueryDto): Promise<PageDto<ReportDto>> {
    assertAdmin(actor);
    const keyset = query.status === ReportStatus.Open ? OPEN_OLDEST : RESOLVED_NEWEST;
    return this.cursors.page(
      keyset,
      query,
      (after) => this.reports.list(query.status, query.limit, after),
      toReportDto,
    );
  }

  /**
   * Resolves an open report, once. `HIDE_POST` hides the post and resolves the post's other open
   * reports with the same decision (they asked the same question); `DISMISS` answers this report only.
   * The hide, the resolutions and their audit events commit together.
   */
  async resolveReport(
    actor: AuthUser,
    context: AuditContext,
    id: string,
    input: ResolveReportDto,
  ): Promise<ReportDto> {
    assertAdmin(actor);
    const report = await this.reports.find(undefined, id);
    if (!report) {
      throw new ReportNotFoundError();
    }
    if (report.status !== ReportStatus.Open) {
      throw new ReportAlreadyResolvedError();
    }
    const resolution: Resolution = {
      action: input.action,
      resolutionNote: input.note ?? null,
      resolvedById: actor.id,
      resolvedAt: this.clock.now(),
    };
    const hide = input.action === ReportAction.HidePost;
    return this.transactions.run(async (tx) => {
      // The post first: its lock queues concurrent hides of the post, so they cannot deadlock on its reports.
      if (hide && !(await this.reports.hidePost(tx, report.postId, resolution.resolvedAt))) {
        throw new ReportNotFoundError(); // deleted with its post in the meantime
      }
      const resolved = await this.reports.resolve(tx, id, resolution);
      if (!resolved) {
        throw await this.lostRace(tx, id);
      }
      const others = hide ? await this.reports.resolveOthersOfPost(tx, report.postId, id, resolution) : [];
      await this.recordResolved(tx, context, report, resolved);
      for (const other of others) {
        await this.recordResolved(tx, context, report, other, resolved.id);
      }
      return toReportDto(resolved);
    });
  }

  /**
   * Shows a post hidden by moderation again (its reports stay resolved), recorded as `post.unhidden`; a
   * post that is not hidden is left as is and nothing is recorded. A suspended author's posts stay
   * withheld until the suspension is lifted.
   */
  async unhidePost(actor: AuthUser, context: AuditContext, postId: string): Promise<void> {
    assertAdmin(actor);
    await this.transactions.run(async (tx) => {
      const post = await this.reports.unhidePost(tx, postId);
      if (!post) {
        throw new PostNotFoundError();
      }
      if (post.hiddenSince) {
        await this.audit.record(tx, context, {
          action: AuditAction.PostUnhidden,
          target: { type: AuditTargetType.Post, id: postId },
          accountId: post.accountId,
          metadata: { hiddenSince: post.hiddenSince.toISOString() },
        });
      }
    });
  }

  /** Why a resolution found no open report: someone resolved it first, or it went with its post. */
  private async lostRace(tx: Transaction, id: string): Promise<Error> {
    return (await this.reports.find(tx, id)) ? new ReportAlreadyResolvedError() : new ReportNotFoundError();
  }

  private recordResolved(
    tx: Transaction,
    context: AuditContext,
    of: ReportOfPost,
    report: ReportRecord,
    resolvedWith?: string,
  ): Promise<void> {
    return this.audit.record(tx, context, {
      action: AuditAction.ReportResolved,
      target: { type: AuditTargetType.Report, id: report.id },
      accountId: of.postAccountId,
      metadata: {
        action: report.action,
        postId: report.postId,
        reason: report.reason,
        // A report resolved by the decision on another one of the same post.
        ...(resolvedWith ? { resolvedWith } : {}),
      },
    });
  }
}
