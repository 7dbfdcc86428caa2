import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { Lifecycle } from '../common/lifecycle/lifecycle';
import { DatabaseHealthIndicator } from '../database/database.health';
import { HealthCheckDto, HealthStatusDto } from './health.dto';
import { NotReadyError } from './health.errors';

@Injectable()
export class HealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly lifecycle: Lifecycle,
  ) {}

  async live(): Promise<HealthStatusDto> {
    return toStatus(await this.health.check([]));
  }

  async ready(): Promise<HealthStatusDto> {
    if (this.lifecycle.draining) {
      throw new NotReadyError('shutting down');
    }
    try {
      return toStatus(await this.health.check([() => this.database.check('database')]));
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        const result = error.getResponse() as HealthCheckResult;
        throw new NotReadyError(`${Object.keys(result.error ?? {}).join(', ')} unavailable`);
      }
      throw error;
    }
  }
}

function toStatus(result: HealthCheckResult): HealthStatusDto {
  const checks: Record<string, HealthCheckDto> = {};
  for (const [name, detail] of Object.entries(result.details)) {
    checks[name] = { status: detail.status === 'up' ? 'up' : 'down' };
  }
  return { status: 'ok', checks };
}
