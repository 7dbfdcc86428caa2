import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type pg from 'pg';

import { DataDirLock } from './data-dir-lock';

export const IN_MEMORY = 'memory://';

/** PGlite (PostgreSQL in WASM) served on the wire protocol on a loopback port, for the pg driver. */
export class EmbeddedDatabase {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly connection: pg.PoolConfig,
    private readonly lock?: DataDirLock,
  ) {}

  /**
   * Opens the database in `dataDir` (or in memory) and serves it. PGlite is one session: the server
   * queues statements from every connection, so it must accept at least as many as the pool opens.
   * A folder has one writer: its lock (data-dir-lock.ts) is taken before anything is opened, and
   * `DataDirBusyError` names the process that holds it. A `template` (a `dump()` of another database)
   * is loaded instead of creating an empty cluster, several times faster than an initdb.
   */
  static async start(
    dataDir: string,
    maxConnections: number,
    { template }: { template?: Blob } = {},
  ): Promise<EmbeddedDatabase> {
    const lock = dataDir === IN_MEMORY ? undefined : await DataDirLock.acquire(dataDir);
    try {
      // Loaded here rather than at the top: a service on a PostgreSQL server never holds PGlite (live heap,
      // which sustained load multiplies; bench/history/2026-11-25.md, 17:23).
      const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
        import('@electric-sql/pglite'),
        import('@electric-sql/pglite-socket'),
      ]);
      const db = await PGlite.create(
        dataDir === IN_MEMORY ? { loadDataDir: template } : { dataDir, loadDataDir: template },
      );
      const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
      await server.start();
      const port = Number(server.getServerConn().split(':').pop());
      await lock?.update({ databasePort: port });
      const connection = {
        host: '127.0.0.1',
        port,
        user: 'postgres',
        database: 'postgres',
        max: maxConnections,
      };
      return new EmbeddedDatabase(db, server, connection, lock);
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  /** The whole database as a tarball, which `start` takes as a template. */
  dump(): Promise<Blob> {
    return this.db.dumpDataDir('none');
  }

  /** Stops serving and closes the database; its data folder is left consistent. */
  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
    await this.lock?.release();
  }
}
