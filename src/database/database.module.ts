import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaModule, PrismaService } from 'nestjs-prisma';

import { AppConfig } from '../config/config.module';
import { DatabaseHealthIndicator } from './database.health';
import { DatabaseConnection } from './database-connection';
import { SqlClient } from './sql-client';
import { Transactions } from './transactions';

@Module({
  providers: [
    {
      provide: DatabaseConnection,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => DatabaseConnection.open(config),
    },
  ],
  exports: [DatabaseConnection],
})
class DatabaseConnectionModule {}

/** Closes the pool, then the embedded database, after the HTTP server has finished its requests. */
@Injectable()
class DatabaseShutdown implements OnApplicationShutdown {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(DatabaseConnection) private readonly connection: DatabaseConnection,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.prisma.$disconnect();
    await this.connection.close();
  }
}

/**
 * For repositories: the injected `PrismaService` (nestjs-prisma) over the pg driver adapter, and
 * `SqlClient` for the typed statements of the hottest paths, both on one pool.
 */
@Global()
@Module({
  imports: [
    TerminusModule,
    DatabaseConnectionModule,
    PrismaModule.forRootAsync({
      isGlobal: true,
      imports: [DatabaseConnectionModule],
      inject: [DatabaseConnection],
      useFactory: (connection: DatabaseConnection) => ({
        prismaOptions: {
          adapter: new PrismaPg(connection.pool),
          // A transaction waits for a connection as long as any query does (DB_CONNECT_TIMEOUT_MS).
          transactionOptions: { maxWait: connection.options.connectionTimeoutMillis, timeout: 10_000 },
        },
      }),
    }),
  ],
  providers: [DatabaseShutdown, DatabaseHealthIndicator, SqlClient, Transactions],
  // The connection too, for pg-boss (src/jobs), which runs its statements on the same pool.
  exports: [DatabaseConnectionModule, DatabaseHealthIndicator, SqlClient, Transactions],
})
export class DatabaseModule {}
