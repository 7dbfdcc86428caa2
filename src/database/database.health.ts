import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';

import { preparedStatement, SqlClient } from './sql-client';

const CHECK_TIMEOUT_MS = 3000;

const PREPARED_PROBE = preparedStatement<[]>('health_probe', () => Prisma.sql`SELECT 1 AS ok`).returning({
  ok: 'int4',
});

/**
 * Readiness of the database along both paths requests take: a Prisma query and a named prepared
 * statement of `SqlClient` (which is what broke when a session kept statements a closed connection
 * had prepared), bounded in time so a hung server reads as down.
 */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly logger = new Logger('DatabaseHealth');

  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'database'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all([this.prisma.$queryRaw`SELECT 1`, this.sql.run(PREPARED_PROBE, [])]),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
        }),
      ]);
      return indicator.up();
    } catch (error) {
      this.logger.warn(`Database check failed: ${error instanceof Error ? error.message : String(error)}`);
      return indicator.down({ message: 'database unreachable' });
    } finally {
      clearTimeout(timer);
    }
  }
}
