import { DataDirBusyError } from '../src/database/data-dir-lock';
import { EmbeddedDatabase, IN_MEMORY } from '../src/database/embedded-database';
import { applyMigrations } from '../src/database/migrator';
import { prisma } from './embedded';

/**
 * `npm run db:migrate`: applies pending migrations to DATABASE_URL (`prisma migrate deploy`), or, without
 * it, to the embedded database in DATA_DIR. That folder has one writer: while the server holds it (and
 * the server applies migrations itself at every start) this refuses at once and names the server's pid.
 */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url) {
    process.stdout.write(await prisma(url, ['migrate', 'deploy']));
    return;
  }
  const dataDir = process.env.DATA_DIR ?? '.data';
  if (dataDir === IN_MEMORY) {
    console.error('DATA_DIR is memory://: there is no database to migrate between runs.');
    process.exit(2);
  }
  const embedded = await EmbeddedDatabase.start(dataDir, 2);
  try {
    const applied = await applyMigrations(embedded.connection);
    console.log(
      applied.length
        ? `Applied migrations to ${dataDir}: ${applied.join(', ')}`
        : `The embedded database in ${dataDir} is up to date`,
    );
  } finally {
    await embedded.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof DataDirBusyError ? error.message : error);
  process.exit(1);
});
