import { ApiKeyNotAcceptedError, RoleRequiredError } from '@/common/auth/auth.errors';
import type { AuthUser } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import { CursorCodec, InvalidCursorError } from '@/common/pagination/cursor-codec';
import { Clock } from '@/common/time/clock';
import type { Transaction } from '@/database/sql-executor';
import { apiKeyCaller, userCaller } from '@test/factories/callers';
import { fakeTransactions } from '@test/helpers/fake-transactions';
import { strictFake } from '@test/helpers/strict-fake';

import { AuditAction, AuditActorType, AuditTargetType } from '../audit/audit-actions';
import type { AuditContext } from '../audit/audit-context';
import type { AuditEntry, AuditLog } from '../audit/audit-log';
import { PostNotFoundError } from '../posts/posts.errors';
import { ListReportsQueryDto } from './dto/report-query.dto';
import { ReportAction, ReportReason, ReportStatus } from './report-enums';
import { ReportAlreadyResolvedError, ReportNotFoundError } from './reports.errors';
import type { ReportOfPost, ReportRecord, ReportsRepository, Resolution } from './reports.repository';
import { ReportsService } from './reports.service';

const person: AuthUser = userCaller();
const admin: AuthUser = userCaller({ id: 'admin', role: UserRole.Admin, sessionId: 's2' });
const apiKey: AuthUser = apiKeyCaller({ scopes: ['posts:read', 'posts:write'] });
const context: AuditContext = {
  actor: { type: AuditActorType.User, id: 'admin' },
  ip: null,
  requestId: 'r1',
};
const now = new Date('2026-02-01T00:00:00Z');
const cursors = new CursorCodec('unit-test-cursor-secret');
const tx = {} as Transaction;

class FixedClock extends Clock {
  override now(): Date {
    return now;
  }
}

function reportRecord(overrides: Partial<ReportOfPost> = {}): ReportOfPost {
  return {
    id: 'r1',
    postId: 'p1',
    reporterId: 'u1',
    reason: ReportReason.Fraud,
    note: null,
    status: ReportStatus.Open,
    action: null,
    resolutionNote: null,
    resolvedById: null,
    resolvedAt: null,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    postAccountId: 'a1',
    ...overrides,
  };
}

const resolvedWith = (report: ReportRecord, resolution: Resolution): ReportRecord => ({
  ...report,
  ...resolution,
  status: ReportStatus.Resolved,
});

function build(reports: Partial<ReportsRepository>, recorded: AuditEntry[] = []): ReportsService {
  return new ReportsService(
    fakeTransactions(tx),
    strictFake<ReportsRepository>(reports),
    strictFake<AuditLog>({
      record: (given, _context, entry) => {
        expect(given).toBe(tx); // in the resolution's transaction
        recorded.push(entry);
        return Promise.resolve();
      },
    }),
    cursors,
    new FixedClock(),
  );
}

describe(ReportsService.name, () => {
  describe('reportPost', () => {
    it('refuses an API key before reading anything', async () => {
      await expect(build({}).reportPost(apiKey, 'p1', { reason: ReportReason.Spam })).rejects.toThrow(
        ApiKeyNotAcceptedError,
      );
    });

    it('answers not found when there is no visible post to report', async () => {
      const service = build({ open: () => Promise.resolve(null) });
      await expect(service.reportPost(person, 'p1', { reason: ReportReason.Spam })).rejects.toThrow(
        PostNotFoundError,
      );
    });

    it('files the caller’s report at the clock’s time and says whether it is new', async () => {
      for (const created of [true, false]) {
        const filed: unknown[] = [];
        const service = build({
          open: (report) => {
            filed.push(report);
            return Promise.resolve({ report: reportRecord(), created });
          },
        });
        const result = await service.reportPost(person, 'p1', { reason: ReportReason.Fraud, note: 'n' });
        expect(result.created).toBe(created);
        expect(result.value).toMatchObject({ id: 'r1', status: 'open', action: null });
        expect(result.value).not.toHaveProperty('postAccountId');
        expect(filed).toEqual([
          { postId: 'p1', reporterId: 'u1', reason: 'FRAUD', note: 'n', createdAt: now },
        ]);
      }
    });
  });

  describe('listReports', () => {
    const query = (status: ReportStatus, cursor?: string) =>
      Object.assign(new ListReportsQueryDto(), { status, limit: 1, cursor });

    it('is for admins only', async () => {
      await expect(build({}).listReports(person, query(ReportStatus.Open))).rejects.toThrow(
        RoleRequiredError,
      );
    });

    it('refuses a cursor of the open queue on the resolved list', async () => {
      const rows = [reportRecord({ id: 'r1' }), reportRecord({ id: 'r2' })];
      const service = build({ list: () => Promise.resolve(rows) });
      const page = await service.listReports(admin, query(ReportStatus.Open));
      expect(page.nextCursor).toEqual(expect.any(String));
      await expect(
        service.listReports(admin, query(ReportStatus.Resolved, page.nextCursor!)),
      ).rejects.toThrow(InvalidCursorError);
    });
  });

  describe('resolveReport', () => {
    it('is for admins only, and reads nothing otherwise', async () => {
      await expect(
        build({}).resolveReport(person, context, 'r1', { action: ReportAction.HidePost }),
      ).rejects.toThrow(RoleRequiredError);
    });

    it('answers not found for an unknown report and conflict for a resolved one, writing nothing', async () => {
      await expect(
        build({ find: () => Promise.resolve(null) }).resolveReport(admin, context, 'r1', {
          action: ReportAction.Dismiss,
        }),
      ).rejects.toThrow(ReportNotFoundError);
      await expect(
        build({ find: () => Promise.resolve(reportRecord({ status: ReportStatus.Resolved })) }).resolveReport(
          admin,
          context,
          'r1',
          { action: ReportAction.Dismiss },
        ),
      ).rejects.toThrow(ReportAlreadyResolvedError);
    });

    it('answers conflict when another resolution wins, not found when the report went with its post', async () => {
      for (const [after, error] of [
        [reportRecord({ status: ReportStatus.Resolved }), ReportAlreadyResolvedError],
        [null, ReportNotFoundError],
      ] as const) {
        const reads = [reportRecord(), after];
        const service = build({
          find: () => Promise.resolve(reads.shift() ?? null),
          resolve: () => Promise.resolve(null),
        });
        await expect(
          service.resolveReport(admin, context, 'r1', { action: ReportAction.Dismiss }),
        ).rejects.toThrow(error);
      }
    });

    it('dismisses this report only, and records it', async () => {
      const recorded: AuditEntry[] = [];
      const service = build(
        {
          find: () => Promise.resolve(reportRecord()),
          resolve: (_tx, _id, resolution) => Promise.resolve(resolvedWith(reportRecord(), resolution)),
        },
        recorded,
      );
      const result = await service.resolveReport(admin, context, 'r1', { action: ReportAction.Dismiss });
      expect(result).toMatchObject({
        status: 'resolved',
        action: 'DISMISS',
        resolvedById: 'admin',
        resolvedAt: now,
        resolutionNote: null,
      });
      expect(recorded).toEqual([
        {
          action: AuditAction.ReportResolved,
          target: { type: AuditTargetType.Report, id: 'r1' },
          accountId: 'a1',
          metadata: { action: 'DISMISS', postId: 'p1', reason: 'FRAUD' },
        },
      ]);
    });

    it('hides the post first, then resolves this report and the other open ones, recording each', async () => {
      const calls: string[] = [];
      const recorded: AuditEntry[] = [];
      const other = reportRecord({ id: 'r2', reporterId: 'u2', reason: ReportReason.Spam });
      const service = build(
        {
          find: () => Promise.resolve(reportRecord()),
          hidePost: (_tx, postId, at) => {
            calls.push(`hide ${postId} ${at.toISOString()}`);
            return Promise.resolve(true);
          },
          resolve: (_tx, id, resolution) => {
            calls.push(`resolve ${id}`);
            return Promise.resolve(resolvedWith(reportRecord(), resolution));
          },
          resolveOthersOfPost: (_tx, postId, exceptId, resolution) => {
            calls.push(`others of ${postId} but ${exceptId}`);
            return Promise.resolve([resolvedWith(other, resolution)]);
          },
        },
        recorded,
      );
      const result = await service.resolveReport(admin, context, 'r1', {
        action: ReportAction.HidePost,
        note: 'Scam',
      });
      expect(result).toMatchObject({ id: 'r1', action: 'HIDE_POST', resolutionNote: 'Scam' });
      expect(calls).toEqual([`hide p1 ${now.toISOString()}`, 'resolve r1', 'others of p1 but r1']);
      expect(recorded.map((entry) => [entry.target.id, entry.metadata])).toEqual([
        ['r1', { action: 'HIDE_POST', postId: 'p1', reason: 'FRAUD' }],
        ['r2', { action: 'HIDE_POST', postId: 'p1', reason: 'SPAM', resolvedWith: 'r1' }],
      ]);
    });

    it('answers not found when the post was deleted before it could be hidden', async () => {
      const service = build({
        find: () => Promise.resolve(reportRecord()),
        hidePost: () => Promise.resolve(false),
      });
      await expect(
        service.resolveReport(admin, context, 'r1', { action: ReportAction.HidePost }),
      ).rejects.toThrow(ReportNotFoundError);
    });
  });
});
