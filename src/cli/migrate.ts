import { DataDirBusyError } from '../database/data-dir-lock';
import { EmbeddedDatabase, IN_MEMORY } from '../database/embedded-database';
import { applyMigrations } from '../database/migrator';

/**
 * `npm run db:migrate` without DATABASE_URL (scripts/migrate.sh; with it, `prisma migrate deploy` runs):
 * applies pending migrations to the embedded database in DATA_DIR. That folder has one writer: while
 * the server holds it (and the server applies migrations itself at every start) this refuses at once
 * and names the server's pid.
 */
async function main(): Promise<void> {
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
