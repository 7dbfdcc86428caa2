import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';

const SOCKETS = 'realtime_connected_sockets';
const EMITTED = 'realtime_events_emitted_total';
const ADAPTER_ERRORS = 'realtime_adapter_errors_total';

export const realtimeMetricProviders = [
  makeGaugeProvider({ name: SOCKETS, help: 'Realtime sockets connected to this instance' }),
  makeCounterProvider({
    name: EMITTED,
    help: 'Realtime events emitted by this instance, per event (one per emit, whatever its recipients)',
    labelNames: ['event'],
  }),
  makeCounterProvider({
    name: ADAPTER_ERRORS,
    help: 'Errors of the Redis connections that carry realtime events between instances',
  }),
];

/** What the realtime layer counts, for `/metrics`. */
@Injectable()
export class RealtimeMetrics {
  constructor(
    @InjectMetric(SOCKETS) private readonly sockets: Gauge,
    @InjectMetric(EMITTED) private readonly emitted: Counter<'event'>,
    @InjectMetric(ADAPTER_ERRORS) private readonly adapterErrors: Counter,
  ) {}

  connected(): void {
    this.sockets.inc();
  }

  disconnected(): void {
    this.sockets.dec();
  }

  emittedOne(event: string): void {
    this.emitted.inc({ event });
  }

  adapterError(): void {
    this.adapterErrors.inc();
  }
}
