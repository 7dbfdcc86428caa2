import { Injectable } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge, Histogram } from 'prom-client';

import type { SqlExecutor } from '../database/sql-executor';

const DEPTH = 'jobs_queue_depth';
const FAILURES = 'jobs_failures_total';
const DURATION = 'jobs_duration_seconds';

/** The depth gauge counts this far and no further, so that a scrape costs the same at any backlog. */
export const DEPTH_CAP = 10_000;

/** A queue's jobs waiting to run: new, due later, or waiting for a retry. */
export interface QueueDepth {
  queue: string;
  waiting: number;
}

/** What the depth gauge asks at each scrape: a running JobsService. */
export interface DepthSource {
  readDepths(): Promise<QueueDepth[]>;
}

/**
 * The sources running in this process. prom-client's registry, and with it the gauge below, is one
 * per process (the Prometheus module reuses a metric already registered), but its `collect` is set
 * once; so it asks every source that is running now rather than the first application's. There is
 * one in production; the tests run two instances in one process.
 */
const depthSources = new Set<DepthSource>();

export const jobMetricProviders = [
  makeGaugeProvider({
    name: DEPTH,
    help: `Jobs waiting to run (new, due later or waiting for a retry), per queue, counted up to ${DEPTH_CAP}`,
    labelNames: ['queue'],
    async collect(this: Gauge<string>) {
      this.reset();
      // A source whose database does not answer reports nothing: an absent series, not a wrong zero.
      const reports = await Promise.allSettled([...depthSources].map((source) => source.readDepths()));
      for (const report of reports) {
        for (const { queue, waiting } of report.status === 'fulfilled' ? report.value : []) {
          this.set({ queue }, waiting);
        }
      }
    },
  }),
  makeCounterProvider({
    name: FAILURES,
    help: 'Job attempts that failed (the handler threw, or the attempt expired), per queue',
    labelNames: ['queue'],
  }),
  makeHistogramProvider({
    name: DURATION,
    help: 'Time a job attempt ran until it completed or failed, in seconds, per queue',
    labelNames: ['queue'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
  }),
];

/** Failures and durations of the attempts this instance runs, and the queue depths at each scrape. */
@Injectable()
export class JobMetrics {
  constructor(
    @InjectMetric(FAILURES) private readonly failures: Counter<string>,
    @InjectMetric(DURATION) private readonly duration: Histogram<string>,
  ) {}

  /** Starts timing an attempt; the function returned records how it ended. */
  attempt(queue: string): (outcome: 'completed' | 'failed') => void {
    const end = this.duration.startTimer({ queue });
    return (outcome) => {
      end();
      if (outcome === 'failed') {
        this.failures.inc({ queue });
      }
    };
  }

  reportDepths(source: DepthSource): void {
    depthSources.add(source);
  }

  stopReporting(source: DepthSource): void {
    depthSources.delete(source);
  }
}

/**
 * The depth of `queues`, from pg-boss's job table, along its partial index of jobs not yet active
 * (`job_i5`). pg-boss's own `getQueueSize` is the same count without a bound: a scan as long as the
 * backlog on every scrape; each count here stops at DEPTH_CAP.
 */
export async function readQueueDepths(db: SqlExecutor, queues: string[]): Promise<QueueDepth[]> {
  const { rows } = await db.executeSql(
    `SELECT q.name AS queue,
            (SELECT count(*) FROM (SELECT 1 FROM pgboss.job j
                                    WHERE j.name = q.name AND j.state < 'active' LIMIT $2) w)::int AS waiting
       FROM unnest($1::text[]) AS q(name)`,
    [queues, DEPTH_CAP],
  );
  return rows as QueueDepth[];
}
