import { Global, Module } from '@nestjs/common';

import { RealtimeEvents } from './realtime.events';
import { realtimeMetricProviders, RealtimeMetrics } from './realtime.metrics';

/** What the services emit through: global, so that a use case of any module can tell people. */
@Global()
@Module({
  providers: [RealtimeEvents, RealtimeMetrics, ...realtimeMetricProviders],
  exports: [RealtimeEvents, RealtimeMetrics],
})
export class RealtimeEventsModule {}
