import { Global, Logger, Module } from '@nestjs/common';
import PgBoss from 'pg-boss';

import { AppConfig } from '../config/config.module';
import { DatabaseConnection } from '../database/database-connection';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import { poolExecutor } from '../database/sql-executor';
import { jobMetricProviders, JobMetrics } from './jobs.metrics';
import { BossFactory, JobsService } from './jobs.service';
import { JobsDatabase } from './jobs-database';

/**
 * pg-boss on the application's own pool, through its `db` option rather than a pool of its own: on
 * the embedded PGlite a second pool would be more connections to one session, whose socket server
 * interleaves them badly (see DatabaseConnection), and on a server it would be connections beyond
 * DB_POOL_SIZE. Its cron and maintenance (expiring, archiving) run only where workers do.
 */
function createBoss(database: JobsDatabase, config: AppConfig): PgBoss {
  const workers = config.get('JOBS_WORKERS', { infer: true });
  const boss = new PgBoss({
    db: database,
    schedule: workers,
    supervise: workers,
    maintenanceIntervalSeconds: config.get('JOBS_MAINTENANCE_INTERVAL_MS', { infer: true }) / 1000,
  });
  // Without a listener an 'error' event would throw. An outage is logged by JobsDatabase, once.
  const logger = new Logger('Jobs');
  boss.on('error', (error) => {
    if (!isDatabaseUnavailable(error)) {
      logger.warn(`pg-boss: ${error.message}`);
    }
  });
  return boss;
}

/** Background jobs (JobsService), for every module: send inside a transaction, register handlers. */
@Global()
@Module({
  providers: [
    ...jobMetricProviders,
    JobMetrics,
    {
      provide: JobsDatabase,
      inject: [DatabaseConnection],
      useFactory: (connection: DatabaseConnection) => new JobsDatabase(poolExecutor(connection.pool)),
    },
    {
      provide: BossFactory,
      inject: [JobsDatabase, AppConfig],
      useFactory: (database: JobsDatabase, config: AppConfig): BossFactory => ({
        create: () => createBoss(database, config),
      }),
    },
    JobsService,
  ],
  exports: [JobsService],
})
export class JobsModule {}
