import { Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaModule, PrismaService } from 'nestjs-prisma';
import { AppConfig } from '../config/config.module';
import { DatabaseConnection } from './database-connection';
import { DatabaseHealthIndicator } from './database.health';

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

/** The injected `PrismaService` (nestjs-prisma) over the pg driver adapter, for repositories. */
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
          transactionOptions: { maxWait: connection.pool.connectionTimeoutMillis, timeout: 10_000 },
        },
      }),
    }),
  ],
  providers: [DatabaseShutdown, DatabaseHealthIndicator],
  exports: [DatabaseHealthIndicator],
})
export class DatabaseModule {}
