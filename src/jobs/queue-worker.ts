import { setTimeout as sleep } from 'node:timers/promises';

import { Logger } from '@nestjs/common';
import type PgBoss from 'pg-boss';

import { isDatabaseUnavailable } from '../database/database-unavailable';
import type { JobMetrics } from './jobs.metrics';
import type { JobHandler, Queue } from './queue';

const HANDED_BACK = 'handed back at shutdown';

/** A job this worker runs, until its attempt settles: completed, failed, expired or handed back. */
interface Attempt {
  abort: AbortController;
  /** Ends once the handler has and its outcome is recorded; a handler may also never end. */
  done: Promise<void>;
  expiry: NodeJS.Timeout;
  end: (outcome: 'completed' | 'failed') => void;
}

/**
 * Runs the jobs of one queue on this instance: fetches as many as it has free slots, runs each handler
 * and settles the job. Not pg-boss's own `work()`, which cannot tell a handler its attempt expired nor
 * hand a job back at shutdown; polling, since PGlite has no NOTIFY (docs/architecture/jobs.md#the-worker).
 */
export class QueueWorker<Payload extends object> {
  private readonly logger = new Logger('Jobs');
  private readonly running = new Map<string, Attempt>();
  private wake = new AbortController();
  private stopping = false;
  private polling?: Promise<void>;

  constructor(
    private readonly boss: PgBoss,
    private readonly queue: Queue<Payload>,
    private readonly handler: JobHandler<Payload>,
    private readonly metrics: JobMetrics,
    private readonly pollIntervalMs: number,
  ) {}

  start(): void {
    this.polling = this.poll();
  }

  /**
   * Takes no more jobs (after the fetch in flight, if any), waits up to `waitMs` for the running
   * ones, and hands back those still running: aborted, and due again at once on any instance.
   */
  async stop(waitMs: number): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    await this.polling;
    const timeout = new AbortController();
    await Promise.race([
      Promise.allSettled([...this.running.values()].map((attempt) => attempt.done)),
      sleep(waitMs, undefined, { signal: timeout.signal }).catch(() => undefined),
    ]);
    timeout.abort();
    if (this.running.size > 0) {
      await this.handBack([...this.running.keys()]);
    }
  }

  private async poll(): Promise<void> {
    while (!this.stopping) {
      const free = this.queue.concurrency - this.running.size;
      let fetched = 0;
      try {
        // pg-boss's fetch answers no jobs when the database fails (JobsDatabase logs the outage).
        const jobs = free > 0 ? await this.boss.fetch<Payload>(this.queue.name, { batchSize: free }) : [];
        jobs.forEach((job) => this.run(job));
        fetched = jobs.length;
      } catch (error) {
        this.logger.warn(`Polling ${this.queue.name} failed: ${messageOf(error)}`);
      }
      // Jobs fetched with slots to spare: more may be waiting, fetch again at once.
      if (fetched === 0 || this.running.size >= this.queue.concurrency) {
        await this.pause();
      }
    }
  }

  /** Waits for the poll interval, or less: until a slot frees up or the worker stops. */
  private async pause(): Promise<void> {
    await sleep(this.pollIntervalMs, undefined, { signal: this.wake.signal }).catch(() => undefined);
    if (this.wake.signal.aborted) {
      this.wake = new AbortController();
    }
  }

  private run(job: PgBoss.Job<Payload>): void {
    const abort = new AbortController();
    const expiresInMs = Number(job.expireInSeconds) * 1000;
    this.running.set(job.id, {
      abort,
      end: this.metrics.attempt(this.queue.name),
      expiry: setTimeout(() => this.expire(job.id, expiresInMs), expiresInMs),
      done: Promise.resolve()
        .then(() => this.handler(job.data, { id: job.id, signal: abort.signal }))
        .then(
          () => this.settle(job.id),
          (error: unknown) => this.settle(job.id, error),
        ),
    });
  }

  /** Records how the handler ended, unless the attempt was settled already (expired, handed back). */
  private async settle(id: string, error?: unknown): Promise<void> {
    const attempt = this.take(id);
    if (!attempt) {
      return;
    }
    try {
      if (error === undefined) {
        attempt.end('completed');
        await this.boss.complete(this.queue.name, id);
      } else {
        attempt.end('failed');
        this.logger.warn(`Job ${id} of ${this.queue.name} failed: ${messageOf(error)}`);
        await this.boss.fail(this.queue.name, id, { message: messageOf(error) });
      }
    } catch (failure) {
      this.warnUnrecorded(1, failure);
    }
  }

  /**
   * An attempt past its expiry counts as failed here, its handler is told to stop and its slot is
   * free. The job itself is left to pg-boss's maintenance, which fails it in the database (and so
   * retries it): failing it from here, a moment after the database's own expiry, could fail an
   * attempt that another instance has taken since.
   */
  private expire(id: string, expiresInMs: number): void {
    const attempt = this.take(id);
    if (attempt) {
      attempt.end('failed');
      attempt.abort.abort(new Error(`the attempt expired after ${expiresInMs} ms`));
      this.logger.warn(`Job ${id} of ${this.queue.name} expired after ${expiresInMs} ms`);
    }
  }

  /**
   * Gives jobs back to the queue: failed, as pg-boss knows how to, which counts as an attempt; and
   * those left with no retry are retried once more, since a shutdown is not their fault.
   */
  private async handBack(ids: string[]): Promise<void> {
    for (const id of ids) {
      this.take(id)?.abort.abort(new Error(HANDED_BACK));
    }
    try {
      await Promise.all(ids.map((id) => this.boss.fail(this.queue.name, id, { message: HANDED_BACK })));
      await this.boss.retry(this.queue.name, ids);
      this.logger.log(`Handed ${ids.length} unfinished job(s) of ${this.queue.name} back to the queue`);
    } catch (failure) {
      this.warnUnrecorded(ids.length, failure);
    }
  }

  /** The attempt of a job, no longer running: the first of its outcomes settles it, once. */
  private take(id: string): Attempt | undefined {
    const attempt = this.running.get(id);
    if (attempt) {
      this.running.delete(id);
      clearTimeout(attempt.expiry);
      this.wake.abort();
    }
    return attempt;
  }

  private warnUnrecorded(count: number, failure: unknown): void {
    // Either way the job stays active in the database until it expires, then it runs again.
    if (!isDatabaseUnavailable(failure)) {
      this.logger.warn(
        `Could not record the end of ${count} job(s) of ${this.queue.name}: ${messageOf(failure)}`,
      );
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
