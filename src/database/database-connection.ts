import { Logger } from '@nestjs/common';
import pg from 'pg';

import { AppConfig } from '../config/config.module';
import { EmbeddedDatabase } from './embedded-database';
import { applyMigrations } from './migrator';
import { connectionOptions } from './pg-connection';
import { SchemaState } from './schema-state';

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
  /** Whether the database has this code's migrations, where the service does not apply them itself. */
  readonly schema: SchemaState;

  constructor(
    readonly options: pg.PoolConfig,
    readonly embedded?: EmbeddedDatabase,
  ) {
    this.pool = new pg.Pool({ ...options, verify: forgetPreparedStatements });
    this.schema = new SchemaState(this.pool);
    // An idle connection that breaks (a database restart) is dropped by the pool; it must not crash us.
    this.pool.on('error', (error) =>
      new Logger(DatabaseConnection.name).warn(`Idle connection lost: ${error.message}`),
    );
  }

  /**
   * Connects to DATABASE_URL, or starts the embedded database in DATA_DIR, and applies pending
   * migrations where that is asked for (always on the embedded database); otherwise compares them
   * with this code's.
   */
  static async open(config: AppConfig): Promise<DatabaseConnection> {
    const logger = new Logger(DatabaseConnection.name);
    const url = config.get('DATABASE_URL', { infer: true });
    const poolSize = config.get('DB_POOL_SIZE', { infer: true });
    const timeouts = {
      connectionTimeoutMillis: config.get('DB_CONNECT_TIMEOUT_MS', { infer: true }),
      idleTimeoutMillis: config.get('DB_IDLE_TIMEOUT_MS', { infer: true }),
    };
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
    } else {
      // Not ours to migrate: without this code's migrations it starts, and refuses requests until they are.
      await connection.schema.verify();
    }
    return connection;
  }

  /**
   * Closes the pool, then the embedded database. Connections still checked out (a statement or a
   * transaction outliving the requests that shutdown waited for) get `graceMs` to come back; then they
   * are ended, which makes the server roll back whatever they held, so no session is left behind.
   */
  async close(graceMs = 2000): Promise<void> {
    const ended = this.pool.end();
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      ended.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (late) {
      const clients = (this.pool as unknown as { _clients: pg.PoolClient[] })._clients;
      new Logger(DatabaseConnection.name).warn(`Ending ${clients.length} busy database connection(s)`);
      await Promise.all(
        clients.map((client) => (client as unknown as pg.Client).end().catch(() => undefined)),
      );
      await ended;
    }
    await this.embedded?.stop();
  }
}

/**
 * Runs on every new connection before the pool hands it out. On PostgreSQL a connection is a fresh
 * session and this is a no-op; PGlite is one session behind every connection, so the statements a
 * closed connection prepared outlive it, and the next one preparing them under the same names would
 * fail ("prepared statement ... already exists") until a restart.
 */
function forgetPreparedStatements(client: pg.PoolClient, done: (error?: Error) => void): void {
  client.query('DEALLOCATE ALL').then(
    () => done(),
    (error: Error) => done(error),
  );
}
