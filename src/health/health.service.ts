import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';

import { Lifecycle } from '../common/lifecycle/lifecycle';
import { RedisService } from '../common/redis/redis.service';
import { DatabaseHealthIndicator } from '../database/database.health';
import { DatabaseConnection } from '../database/database-connection';
import { describeHistory } from '../database/schema-state';
import { HealthCheckDto, HealthStatusDto } from './health.dto';
import { NotReadyError } from './health.errors';

@Injectable()
export class HealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly lifecycle: Lifecycle,
    private readonly redis: RedisService,
    private readonly connection: DatabaseConnection,
  ) {}

  async live(): Promise<HealthStatusDto> {
    return toStatus(await this.health.check([]));
  }

  async ready(): Promise<HealthStatusDto> {
    if (this.lifecycle.draining) {
      throw new NotReadyError('shutting down');
    }
    let status: HealthStatusDto;
    try {
      status = toStatus(await this.health.check([() => this.database.check('database')]));
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        const result = error.getResponse() as HealthCheckResult;
        throw new NotReadyError(`${Object.keys(result.error ?? {}).join(', ')} unavailable`);
      }
      throw error;
    }
    await this.assertMigrated();
    // Reported, never required: without Redis the service runs on process memory
    // (docs/operations.md#several-instances).
    if (this.redis.enabled) {
      status.checks.redis = { status: this.redis.available && this.redis.listening ? 'up' : 'down' };
    }
    return status;
  }

  /** Looks at the database's history again while it lacks (or exceeds) this code's migrations. */
  private async assertMigrated(): Promise<void> {
    const { schema } = this.connection;
    const serving = await schema.refresh().catch(() => {
      throw new NotReadyError('database unavailable');
    });
    if (!serving) {
      throw new NotReadyError(`database not migrated, ${describeHistory(schema.history)}`);
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
