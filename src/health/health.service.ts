import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { UnavailableError } from '../common/errors/domain-error';
import { DatabaseHealthIndicator } from '../prisma/database.health';
import { HealthCheckDto, HealthStatusDto } from './health.dto';

export class NotReadyError extends UnavailableError {
  constructor(failing: string[]) {
    super('NOT_READY', `Not ready: ${failing.join(', ')} unavailable.`);
  }
}

@Injectable()
export class HealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
  ) {}

  async live(): Promise<HealthStatusDto> {
    return toStatus(await this.health.check([]));
  }

  async ready(): Promise<HealthStatusDto> {
    try {
      return toStatus(await this.health.check([() => this.database.check('database')]));
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        const result = error.getResponse() as HealthCheckResult;
        throw new NotReadyError(Object.keys(result.error ?? {}));
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
