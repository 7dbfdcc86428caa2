import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';

const REQUESTS = 'http_requests_total';
const DURATION = 'http_request_duration_seconds';
const LABELS = ['method', 'route', 'status_code'];

export const httpMetricProviders = [
  makeCounterProvider({
    name: REQUESTS,
    help: 'HTTP requests answered',
    labelNames: LABELS,
  }),
  makeHistogramProvider({
    name: DURATION,
    help: 'Time to answer an HTTP request, in seconds',
    labelNames: LABELS,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  }),
];

/**
 * Request count and latency per route pattern (never the raw path, which would explode the series).
 * Two observations per request, the plain way: reading the counter off the histogram instead bought
 * less than the benchmark can resolve (bench/history/2026-11-25.md, 12:37 UTC).
 */
@Injectable()
export class HttpMetrics {
  constructor(
    @InjectMetric(REQUESTS) private readonly requests: Counter<string>,
    @InjectMetric(DURATION) private readonly duration: Histogram<string>,
  ) {}

  observe(method: string, route: string | undefined, statusCode: number, seconds: number): void {
    const labels = { method, route: route ?? 'unmatched', status_code: String(statusCode) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }
}
