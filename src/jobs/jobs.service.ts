import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import PgBoss from 'pg-boss';

import { AppConfig } from '../config/config.module';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import { type Transaction, transactionExecutor } from '../database/sql-executor';
import { type DepthSource, JobMetrics, type QueueDepth, readQueueDepths } from './jobs.metrics';
import { JobsDatabase } from './jobs-database';
import type { JobHandler, Queue } from './queue';
import { QueueWorker } from './queue-worker';

export interface SendOptions {
  /**
   * The interactive transaction of the change that causes the job: the job exists if and only if
   * that transaction commits. Without it the job is sent at once, on its own. Inside a transaction,
   * always pass it: a statement beside an open transaction waits for ever on the embedded database.
   */
  transaction?: Transaction;
  /** Seconds from now before the job may run (a retry on a schedule of its own); at once without it. */
  startAfterSeconds?: number;
}

/**
 * Makes a pg-boss instance. A new one for each start attempt: in pg-boss 10 an instance whose
 * `start()` failed cannot be started again.
 */
export abstract class BossFactory {
  abstract create(): PgBoss;
}

/** The waits before starting pg-boss again after the database could not be reached (the last repeats). */
const START_RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];

interface Registration {
  queue: Queue<object>;
  handler: JobHandler<object>;
  /** A cron expression (UTC) on which pg-boss sends the queue a job with `data`. */
  schedule?: { cron: string; data: object };
}

/** Thrown while pg-boss has not started: the database has not answered since boot. */
class JobsNotStartedError extends Error {
  /** Read as a socket failure (database-unavailable.ts): the request gets a 503 with Retry-After. */
  readonly code = 'ECONNREFUSED';

  constructor() {
    super('Background jobs have not started: the database has not been reachable since boot');
  }
}

/**
 * Durable background jobs on pg-boss, in the application's database: modules register queues and
 * handlers as they start, a worker per queue runs them where JOBS_WORKERS is on, and a handler runs at
 * least once, so it is idempotent (docs/architecture/jobs.md).
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, BeforeApplicationShutdown, DepthSource {
  private readonly logger = new Logger('Jobs');
  private readonly registrations = new Map<string, Registration>();
  private readonly workers: QueueWorker<object>[] = [];
  private readonly workersEnabled: boolean;
  private readonly pollIntervalMs: number;
  private readonly shutdownWaitMs: number;
  private boss?: PgBoss;
  private started = false;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly bosses: BossFactory,
    private readonly database: JobsDatabase,
    private readonly metrics: JobMetrics,
    config: AppConfig,
  ) {
    this.workersEnabled = config.get('JOBS_WORKERS', { infer: true });
    this.pollIntervalMs = config.get('JOBS_POLL_INTERVAL_MS', { infer: true });
    // Running jobs get their wait once shutdown has drained the HTTP requests, which is quick unless a
    // request hangs; the pool and the database close after it. A quarter of the grace, so all of it
    // fits within SHUTDOWN_GRACE_MS unless something else already took most of it.
    this.shutdownWaitMs = config.get('SHUTDOWN_GRACE_MS', { infer: true }) / 4;
  }

  /**
   * Declares a queue and what runs its jobs. Every instance registers every queue (senders need the
   * queue to exist); only those with workers run them. Registered after bootstrap (tests), the
   * queue is created and worked at once.
   */
  async register<Payload extends object>(queue: Queue<Payload>, handler: JobHandler<Payload>): Promise<void> {
    if (this.registrations.has(queue.name)) {
      throw new Error(`Queue ${queue.name} is registered twice`);
    }
    const registration: Registration = { queue, handler: handler as JobHandler<object> };
    this.registrations.set(queue.name, registration);
    if (this.started) {
      await this.open(registration);
    }
  }

  /** Has pg-boss send `queue` a job with `data` on `cron` (five fields, UTC), once across instances. */
  async schedule<Payload extends object>(queue: Queue<Payload>, cron: string, data: Payload): Promise<void> {
    const registration = this.registrationOf(queue);
    registration.schedule = { cron, data };
    if (this.started) {
      await this.storeSchedule(registration);
    }
  }

  /**
   * Enqueues a job; its id. While pg-boss could not start yet (the database was unreachable at boot),
   * a send fails like any statement during an outage: a 503 for the request that caused it.
   */
  async send<Payload extends object>(
    queue: Queue<Payload>,
    data: Payload,
    { transaction, startAfterSeconds }: SendOptions = {},
  ): Promise<string> {
    this.registrationOf(queue);
    const id = await this.running().send(queue.name, data, {
      ...(transaction ? { db: transactionExecutor(transaction) } : {}),
      ...(startAfterSeconds ? { startAfter: startAfterSeconds } : {}),
    });
    if (id === null) {
      // Only throttled and singleton sends are declined, and no queue here uses those policies.
      throw new Error(`pg-boss declined a job for ${queue.name}`);
    }
    return id;
  }

  /** A job with its state, or null when there is none with this id (for tests and diagnostics). */
  find<Payload extends object>(queue: Queue<Payload>, id: string): Promise<PgBoss.JobWithMetadata | null> {
    return this.running().getJobById(queue.name, id);
  }

  /** The schedules stored in the database, of every instance (for tests and diagnostics). */
  schedules(): Promise<PgBoss.Schedule[]> {
    return this.running().getSchedules();
  }

  /**
   * Starts pg-boss (installing or migrating its schema) and the queues. An instance on a database
   * server that is unreachable at boot still starts and serves (503s, like every request that needs
   * the database); pg-boss starts once the database answers, retried in the background.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.start(0);
  }

  /**
   * Runs before every `onApplicationShutdown`, so before the pool closes: workers take no more jobs,
   * running ones get a bounded wait, and those still unfinished are handed back to the queue.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.metrics.stopReporting(this);
    await Promise.all(this.workers.map((worker) => worker.stop(this.shutdownWaitMs)));
    // Then pg-boss's own timers (cron, maintenance): with our workers stopped, it has no job to wait for.
    await this.boss?.stop({ graceful: false });
  }

  readDepths(): Promise<QueueDepth[]> {
    return readQueueDepths(this.database, [...this.registrations.keys()]);
  }

  private async start(attempt: number): Promise<void> {
    const boss = this.bosses.create();
    try {
      await boss.start();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || this.stopped) {
        throw error;
      }
      const waitMs = START_RETRY_MS[Math.min(attempt, START_RETRY_MS.length - 1)];
      this.logger.warn(`The database is unreachable: background jobs start in ${waitMs} ms`);
      this.retry = setTimeout(() => {
        this.start(attempt + 1).catch((failure: unknown) =>
          this.logger.error(`Background jobs did not start: ${String(failure)}`),
        );
      }, waitMs);
      this.retry.unref();
      return;
    }
    this.boss = boss;
    this.started = true;
    for (const registration of this.registrations.values()) {
      await this.open(registration);
    }
    this.metrics.reportDepths(this);
    this.logger.log(
      `${this.registrations.size} queue(s) ready; ${this.workersEnabled ? 'workers run here' : 'no workers here (JOBS_WORKERS=false)'}`,
    );
  }

  /** pg-boss, once started; before that, the error of an unreachable database. */
  private running(): PgBoss {
    if (!this.boss) {
      throw new JobsNotStartedError();
    }
    return this.boss;
  }

  /** Creates the queue, or updates it to the options of this code; stores its schedule; works it. */
  private async open(registration: Registration): Promise<void> {
    const { queue, handler } = registration;
    const { retryLimit, retryDelaySeconds, retryBackoff = false, expireInSeconds } = queue.options;
    const options = { retryLimit, retryDelay: retryDelaySeconds, retryBackoff, expireInSeconds };
    const boss = this.running();
    await boss.createQueue(queue.name, { name: queue.name, ...options });
    await boss.updateQueue(queue.name, { name: queue.name, ...options });
    await this.storeSchedule(registration);
    if (this.workersEnabled) {
      const worker = new QueueWorker(boss, queue, handler, this.metrics, this.pollIntervalMs);
      this.workers.push(worker);
      worker.start();
    }
  }

  /** Stored in the database, where pg-boss's cron reads it (an upsert: every instance stores it). */
  private async storeSchedule({ queue, schedule }: Registration): Promise<void> {
    if (schedule) {
      await this.running().schedule(queue.name, schedule.cron, schedule.data, { tz: 'UTC' });
    }
  }

  private registrationOf(queue: Queue<object>): Registration {
    const registration = this.registrations.get(queue.name);
    if (!registration) {
      throw new Error(`Queue ${queue.name} is not registered`);
    }
    return registration;
  }
}
