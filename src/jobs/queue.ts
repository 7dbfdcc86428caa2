/** How the jobs of a queue are retried, expired and run; stored with the queue at every start. */
export interface QueueOptions {
  /** Attempts after the first before a job stays failed (kept by pg-boss for inspection). */
  retryLimit: number;
  /** Seconds before a failed attempt is retried. */
  retryDelaySeconds: number;
  /** Doubles the delay after each failed attempt, with jitter. */
  retryBackoff?: boolean;
  /**
   * How long one attempt may run. Past it the attempt counts as failed, and once pg-boss's
   * maintenance has seen it (every JOBS_MAINTENANCE_INTERVAL_MS) the job is retried on any instance:
   * this is also how the job of an instance that died half-way comes back.
   */
  expireInSeconds: number;
  /** Jobs of this queue that one instance runs at once (default 1). */
  concurrency?: number;
}

/**
 * A queue, by name, and the payload its jobs carry (stored as JSON: plain data, no Dates or
 * class instances). Declared once, next to its handler; senders and the worker share it.
 */
export class Queue<Payload extends object> {
  /** Never set: carries the payload type, so a job of one queue cannot be sent to another. */
  declare readonly payload?: Payload;

  constructor(
    readonly name: string,
    readonly options: QueueOptions,
  ) {}

  get concurrency(): number {
    return this.options.concurrency ?? 1;
  }
}

/** What a handler is told about the job it runs. */
export interface JobContext {
  id: string;
  /**
   * Aborted when the attempt expires or is handed back at shutdown: stop, the job runs again. A
   * handler may therefore run more than once for a job (at least once), so it must be idempotent.
   */
  signal: AbortSignal;
}

/** Runs one job; a throw (or an expiry) fails the attempt, and the job is retried within its limit. */
export type JobHandler<Payload extends object> = (data: Payload, job: JobContext) => Promise<void> | void;
