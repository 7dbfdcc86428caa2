import { Logger } from '@nestjs/common';
import pg from 'pg';
import { AppConfig } from '../config/config.module';
import { EmbeddedDatabase } from './embedded-database';
import { applyMigrations } from './migrator';
import { connectionOptions } from './pg-connection';

/**
 * PGlite is a single PostgreSQL session: more connections add no throughput, and its socket server
 * interleaves their protocol messages, which concurrent requests have been seen to hang on. The
 * pool keeps one; the server admits a few more for the migrator and diagnostics.
 */
export const EMBEDDED_CONNECTIONS = 4;

/**
 * Where the service's database is (a PostgreSQL server, or the embedded PGlite it started) and the
 * one pool of connections to it, shared by Prisma's driver adapter and the typed SQL of `SqlClient`.
 */
export class DatabaseConnection {
  readonly pool: pg.Pool;

  constructor(
    readonly options: pg.PoolConfig,
    readonly embedded?: EmbeddedDatabase,
  ) {
    this.pool = new pg.Pool(options);
    // An idle connection that breaks (a database restart) is dropped by the pool; it must not crash us.
    this.pool.on('error', (error) =>
      new Logger(DatabaseConnection.name).warn(`Idle connection lost: ${error.message}`),
    );
  }

  /**
   * Connects to DATABASE_URL, or starts the embedded database in DATA_DIR, and applies pending
   * migrations where that is asked for (always on the embedded database).
   */
  static async open(config: AppConfig): Promise<DatabaseConnection> {
    const logger = new Logger(DatabaseConnection.name);
    const url = config.get('DATABASE_URL', { infer: true });
    const poolSize = config.get('DB_POOL_SIZE', { infer: true });
    const timeouts = { connectionTimeoutMillis: config.get('DB_CONNECT_TIMEOUT_MS', { infer: true }) };
    let connection: DatabaseConnection;
    if (url) {
      connection = new DatabaseConnection({ ...connectionOptions(url), ...timeouts, max: poolSize });
    } else {
      const dataDir = config.get('DATA_DIR', { infer: true });
      const embedded = await EmbeddedDatabase.start(dataDir, EMBEDDED_CONNECTIONS);
      connection = new DatabaseConnection({ ...embedded.connection, ...timeouts, max: 1 }, embedded);
      logger.log(`Embedded PostgreSQL (PGlite) in ${dataDir}, on port ${embedded.connection.port}`);
    }
    if (connection.embedded || config.get('DB_MIGRATE_ON_START', { infer: true })) {
      const applied = await applyMigrations(connection.options);
      logger.log(
        applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database schema is up to date',
      );
    }
    return connection;
  }

  async close(): Promise<void> {
    await this.pool.end();
    await this.embedded?.stop();
  }
}
