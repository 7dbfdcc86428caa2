import { StatementRenamingProxy } from './statement-renaming-proxy';
import { createTestDatabase, serverUrl, type TestDatabase } from './test-database';

/** One test database for several instances of the service in one test process. */
export interface SharedDatabase {
  database: TestDatabase;
  /** What every instance's DATABASE_URL is: the embedded PGlite through the renaming proxy, or the server's database. */
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database that several instances can share: a server database as it is; the embedded one
 * behind a `StatementRenamingProxy`, so that the instances' prepared statements do not collide.
 */
export async function createSharedDatabase(): Promise<SharedDatabase> {
  const database = await createTestDatabase();
  const url = new URL(database.url);
  let proxy: StatementRenamingProxy | undefined;
  if (!serverUrl()) {
    proxy = new StatementRenamingProxy(url.hostname, Number(url.port));
    await proxy.start();
    url.port = String(proxy.port);
  }
  return {
    database,
    url: url.toString(),
    async drop() {
      await proxy?.stop();
      await database.drop();
    },
  };
}
