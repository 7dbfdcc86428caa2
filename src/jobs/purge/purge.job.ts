import { Injectable, Logger, OnModuleInit } from '@nestjs/common';

import { Clock } from '@/common/time/clock';
import { AppConfig } from '@/config/config.module';

import { JobsService } from '../jobs.service';
import { Queue } from '../queue';
import { type DeleteBatch, Purges } from './purges';

/** One job per PURGE_CRON tick, carrying nothing: each run purges whatever is dead by then. */
export const PURGE_QUEUE = new Queue<Record<string, never>>('purge-expired', {
  retryLimit: 3,
  retryDelaySeconds: 60,
  expireInSeconds: 300,
});

/** Rows per delete statement: short statements, few rows locked at once, whatever the backlog. */
export const PURGE_BATCH = 1000;

/** The rows each purge deleted, by the name it was registered under. */
export type PurgeResult = Record<string, number>;

/**
 * Deletes what can no longer be used, as each feature registered it in `Purges` (sessions, mailed
 * links' tokens, idempotency records, audit events past retention). A pg-boss schedule runs it on one
 * instance per tick; nothing in process keeps time for it.
 */
@Injectable()
export class PurgeJob implements OnModuleInit {
  private readonly logger = new Logger('Purge');

  constructor(
    private readonly jobs: JobsService,
    private readonly purges: Purges,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register(PURGE_QUEUE, async (_data, { signal }) => {
      await this.run(signal);
    });
    await this.jobs.schedule(PURGE_QUEUE, this.config.get('PURGE_CRON', { infer: true }), {});
  }

  /**
   * Runs each registered purge in batches until nothing is left or `signal` says the attempt is over
   * (the purges not reached yet wait for the next run); what went, per purge.
   */
  async run(signal?: AbortSignal): Promise<PurgeResult> {
    const now = this.clock.now();
    const result: PurgeResult = {};
    for (const { name, deleteBatch } of this.purges.all()) {
      if (signal?.aborted) {
        break;
      }
      result[name] = await inBatches(deleteBatch, now, signal);
    }
    const counts = Object.entries(result);
    if (counts.some(([, count]) => count > 0)) {
      this.logger.log(`Purged ${counts.map(([name, count]) => `${name}: ${count}`).join(', ')}`);
    }
    return result;
  }
}

/** Repeats a batch delete until one deletes less than a full batch, or `signal` aborts; the total. */
async function inBatches(deleteBatch: DeleteBatch, now: Date, signal?: AbortSignal): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch(now, PURGE_BATCH);
    total += deleted;
    if (deleted < PURGE_BATCH || signal?.aborted) {
      return total;
    }
  }
}
