import { Controller, Get, Header } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { Anonymous } from '../common/auth/public.decorator';
import { ApiProblems } from '../common/openapi/problem-responses.decorator';
import { Unthrottled } from '../common/throttling/unthrottled.decorator';
import { HealthCheckDto, HealthStatusDto } from './health.dto';
import { NotReadyError } from './health.errors';
import { HealthService } from './health.service';

@ApiTags('operations')
@ApiExtraModels(HealthCheckDto)
@Anonymous()
@Unthrottled()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the process is up and serving' })
  @ApiOkResponse({ type: HealthStatusDto, description: 'The process is alive' })
  live(): Promise<HealthStatusDto> {
    return this.health.live();
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Readiness: the service and its database can take requests',
    description:
      'Not ready (503 `NOT_READY`, the detail says why) while shutting down, while the database does not ' +
      'answer, and while it does not have exactly the migrations of this version (the detail names the ' +
      'pending or unknown ones and the command to run).',
  })
  @ApiOkResponse({ type: HealthStatusDto, description: 'Ready: every dependency answered' })
  @ApiProblems(new NotReadyError('the database does not answer'))
  ready(): Promise<HealthStatusDto> {
    return this.health.ready();
  }
}
