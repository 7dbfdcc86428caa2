import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/decorators/public.decorator';

@ApiTags('operations')
@Public()
@SkipThrottle()
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  @ApiOperation({ summary: 'Metrics in the Prometheus text format', operationId: 'metrics_get' })
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
