import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';

import type { AttemptResult } from './webhook-sender';

const DELIVERIES = 'webhook_deliveries_total';
const DURATION = 'webhook_delivery_duration_seconds';

/** How an attempt ended, as the metrics label it. */
export type AttemptOutcome = 'succeeded' | 'http_error' | 'timeout' | 'refused' | 'network_error';

export function outcomeOf(result: AttemptResult): AttemptOutcome {
  if (result.kind === 'response') {
    return result.status >= 200 && result.status < 300 ? 'succeeded' : 'http_error';
  }
  return result.kind === 'network' ? 'network_error' : result.kind;
}

export const webhookMetricProviders = [
  makeCounterProvider({
    name: DELIVERIES,
    help: 'Webhook delivery attempts, by outcome (succeeded, http_error, timeout, refused, network_error)',
    labelNames: ['outcome'],
  }),
  makeHistogramProvider({
    name: DURATION,
    help: 'Time a webhook delivery attempt took until the answer (or the failure), in seconds',
    labelNames: ['outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
];

/** Attempts, failures (every outcome but `succeeded`) and latency of the deliveries this instance makes. */
@Injectable()
export class WebhookMetrics {
  constructor(
    @InjectMetric(DELIVERIES) private readonly deliveries: Counter<string>,
    @InjectMetric(DURATION) private readonly duration: Histogram<string>,
  ) {}

  observe(outcome: AttemptOutcome, seconds: number): void {
    this.deliveries.inc({ outcome });
    this.duration.observe({ outcome }, seconds);
  }
}
