import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/time/clock';
import { AppConfig } from '../../config/config.module';
import { AuthRepository } from '../../modules/auth/auth.repository';
import { UserTokensRepository } from '../../modules/auth/user-tokens.repository';
import { IdempotencyRepository } from '../../modules/idempotency/idempotency.repository';
import { AuditRepository } from '../../modules/audit/audit.repository';
import { JobsService } from '../jobs.service';
import { Queue } from '../queue';

/** One job per PURGE_CRON tick, carrying nothing: each run purges whatever is dead by then. */
export const PURGE_QUEUE = new Queue<Record<string, never>>('purge-expired', {
  retryLimit: 3,
  retryDelaySeconds: 60,
  expireInSeconds: 300,
});

/** Rows per delete statement: short statements, few rows locked at once, whatever the backlog. */
export const PURGE_BATCH = 1000;

/**
 * How long a revoked session is kept: a week of answers to "which session was that, from where" for
 * support and incident questions. Its tokens stopped working when it was revoked (the session check
 * refuses a revoked session as it does a missing one), so the row serves nothing else.
 */
const DAY_MS = 24 * 60 * 60 * 1000;
export const REVOKED_SESSION_RETENTION_MS = 7 * DAY_MS;

export interface PurgeResult {
  sessions: number;
  idempotencyRecords: number;
  /** Tokens of mailed links past their expiry, used or not. */
  userTokens: number;
  /** Audit events older than AUDIT_RETENTION_DAYS. */
  auditEvents: number;
}

/**
 * Deletes what can no longer be used: sessions past their expiry or revoked over a week ago,
 * idempotency records and mailed links' tokens past theirs, audit events past AUDIT_RETENTION_DAYS. A pg-boss schedule runs it on one instance per tick; nothing in
 * process keeps time for it.
 */
@Injectable()
export class PurgeJob implements OnModuleInit {
  private readonly logger = new Logger('Purge');

  constructor(
    private readonly jobs: JobsService,
    private readonly sessions: AuthRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly userTokens: UserTokensRepository,
    private readonly auditEvents: AuditRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register(PURGE_QUEUE, async (_data, { signal }) => {
      await this.run(signal);
    });
    await this.jobs.schedule(PURGE_QUEUE, this.config.get('PURGE_CRON', { infer: true }), {});
  }

  /** Purges in batches until nothing is left or `signal` says the attempt is over; what went. */
  async run(signal?: AbortSignal): Promise<PurgeResult> {
    const now = this.clock.now();
    const revokedBefore = new Date(now.getTime() - REVOKED_SESSION_RETENTION_MS);
    const sessions = await inBatches(
      () => this.sessions.deleteDeadSessions(now, revokedBefore, PURGE_BATCH),
      signal,
    );
    const idempotencyRecords = await inBatches(
      () => this.idempotency.deleteExpired(now, PURGE_BATCH),
      signal,
    );
    const userTokens = await inBatches(() => this.userTokens.deleteExpired(now, PURGE_BATCH), signal);
    const auditBefore = new Date(
      now.getTime() - this.config.get('AUDIT_RETENTION_DAYS', { infer: true }) * DAY_MS,
    );
    const auditEvents = await inBatches(
      () => this.auditEvents.deleteBefore(auditBefore, PURGE_BATCH),
      signal,
    );
    if (sessions + idempotencyRecords + userTokens + auditEvents > 0) {
      this.logger.log(
        `Purged ${sessions} dead session(s), ${idempotencyRecords} expired idempotency record(s), ` +
          `${userTokens} expired link token(s) and ${auditEvents} audit event(s) past retention`,
      );
    }
    return { sessions, idempotencyRecords, userTokens, auditEvents };
  }
}

/** Repeats a batch delete until one deletes less than a full batch, or `signal` aborts; the total. */
async function inBatches(deleteBatch: () => Promise<number>, signal?: AbortSignal): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < PURGE_BATCH || signal?.aborted) {
      return total;
    }
  }
}
