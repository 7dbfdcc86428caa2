import { Logger } from '@nestjs/common';

import { isDatabaseUnavailable } from '../database/database-unavailable';
import type { SqlExecutor } from '../database/sql-executor';

/** pg-boss's own queues (its cron's `__pgboss__send-it`) are named with this prefix. */
const INTERNAL_QUEUE_PREFIX = '__pgboss__';

/** What pg-boss's completion statements answer when they changed nothing. */
const NOTHING_CHANGED = { rows: [{ count: '0' }] };

/**
 * The `db` pg-boss runs its own statements through, on the application's pool: it logs an outage once
 * each way, which pg-boss's polling would not, and answers "nothing changed" to the failed completions
 * pg-boss 10 does not await, which would end the process (docs/architecture/jobs.md).
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
