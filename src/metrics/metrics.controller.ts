import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyReply } from 'fastify';

import { Anonymous } from '../common/auth/public.decorator';
import { ApiProblems } from '../common/openapi/problem-responses.decorator';
import { Unthrottled } from '../common/throttling/unthrottled.decorator';
import {
  METRICS_AUTH,
  MetricsDisabledError,
  MetricsTokenGuard,
  MetricsTokenRequiredError,
} from './metrics-token.guard';

@ApiTags('operations')
@Anonymous()
@Unthrottled()
@UseGuards(MetricsTokenGuard)
@ApiSecurity(METRICS_AUTH)
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  @ApiOperation({
    summary: 'Metrics in the Prometheus text format',
    description:
      'For the scraper: `Authorization: Bearer <METRICS_TOKEN>`; not served (404) without a token set.',
    operationId: 'metrics_get',
  })
  @ApiProblems(new MetricsTokenRequiredError(), new MetricsDisabledError())
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description:
      'Counters and histograms, including `http_requests_total` and `http_request_duration_seconds`',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  override async index(@Res({ passthrough: true }) response: FastifyReply): Promise<string> {
    return super.index(response);
  }
}
