import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';

import { httpMetricProviders, HttpMetrics } from './http-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsTokenGuard } from './metrics-token.guard';

@Module({
  imports: [PrometheusModule.register({ path: '/metrics', controller: MetricsController })],
  providers: [...httpMetricProviders, HttpMetrics, MetricsTokenGuard],
  exports: [HttpMetrics],
})
export class MetricsModule {}
