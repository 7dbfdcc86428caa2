import { Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import type { SqlExecutor } from '../database/sql-executor';

/** pg-boss's own queues (its cron's `__pgboss__send-it`) are named with this prefix. */
const INTERNAL_QUEUE_PREFIX = '__pgboss__';

/** What pg-boss's completion statements answer when they changed nothing. */
const NOTHING_CHANGED = { rows: [{ count: '0' }] };

/**
 * The `db` pg-boss runs every statement of its own through (the application's pool: pg-boss opens
 * none beside it, see JobsModule). It adds two things:
 *
 * - An outage is logged once when the database becomes unreachable and once when it answers again,
 *   whatever pg-boss was doing at the time: its polling swallows failed fetches silently, and would
 *   otherwise poll through an outage without a word.
 * - pg-boss 10 does not await the completion of the jobs its own workers ran (manager.js, `watch`,
 *   `onFetch`: timgit/pg-boss#577, fixed only in releases that need Node 22). Its only such worker
 *   here is its cron's; a failed completion there would be an unhandled rejection, which ends the
 *   process. Those statements answer "nothing changed" instead: the job stays active until
 *   maintenance expires it, and it runs again.
 */
export class JobsDatabase implements SqlExecutor {
  private readonly logger = new Logger('Jobs');
  private unreachable = false;

  constructor(private readonly sql: SqlExecutor) {}

  async executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
    try {
      const result = await this.sql.executeSql(text, values);
      this.answered();
      return result;
    } catch (error) {
      this.failed(error);
      if (isUnawaitedCompletion(values)) {
        return NOTHING_CHANGED;
      }
      throw error;
    }
  }

  private answered(): void {
    if (this.unreachable) {
      this.unreachable = false;
      this.logger.log('The database answers again: background jobs resume');
    }
  }

  private failed(error: unknown): void {
    if (!this.unreachable && isDatabaseUnavailable(error)) {
      this.unreachable = true;
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`Database unavailable (${message.split('\n')[0]}): background jobs wait for it`);
    }
  }
}

/**
 * A completion or failure of jobs of pg-boss's own queues: the only statements with an internal
 * queue name and a list of job ids as their first two parameters.
 */
function isUnawaitedCompletion(values: unknown[] | undefined): boolean {
  const [queue, ids] = values ?? [];
  return typeof queue === 'string' && queue.startsWith(INTERNAL_QUEUE_PREFIX) && Array.isArray(ids);
}
