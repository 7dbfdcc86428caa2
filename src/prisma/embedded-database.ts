import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type pg from 'pg';

export const IN_MEMORY = 'memory://';

/** PGlite (PostgreSQL in WASM) served on the wire protocol on a loopback port, for the pg driver. */
export class EmbeddedDatabase {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly connection: pg.PoolConfig,
  ) {}

  /**
   * Opens the database in `dataDir` (or in memory) and serves it. PGlite is one session: the server
   * queues statements from every connection, so it must accept at least as many as the pool opens.
   */
  static async start(dataDir: string, maxConnections: number): Promise<EmbeddedDatabase> {
    if (dataDir !== IN_MEMORY) {
      await mkdir(dataDir, { recursive: true });
    }
    const db = await PGlite.create(dataDir === IN_MEMORY ? undefined : dataDir);
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
    await server.start();
    const port = Number(server.getServerConn().split(':').pop());
    const connection = {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database: 'postgres',
      max: maxConnections,
    };
    return new EmbeddedDatabase(db, server, connection);
  }

  /** Stops serving and closes the database; its data folder is left consistent. */
  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}
