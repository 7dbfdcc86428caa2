import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { HttpMetrics, httpMetricProviders } from './http-metrics';
import { MetricsTokenGuard } from './metrics-token.guard';
import { MetricsController } from './metrics.controller';

@Module({
  imports: [PrometheusModule.register({ path: '/metrics', controller: MetricsController })],
  providers: [...httpMetricProviders, HttpMetrics, MetricsTokenGuard],
  exports: [HttpMetrics],
})
export class MetricsModule {}
