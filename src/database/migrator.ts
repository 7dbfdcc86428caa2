import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import pg from 'pg';

/** Where the migrations live, relative to the project root (the working directory of every script). */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'prisma', 'migrations');

// The history table and lock of `prisma migrate deploy`, so either tool can continue the other's work.
const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;
const PRISMA_ADVISORY_LOCK = 72707369;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

const APPLIED_ROWS =
  'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL';

/** The history of a database: every migration begun and not rolled back; none without a history table. */
export async function appliedMigrations(db: pg.Pool | pg.ClientBase): Promise<AppliedRow[]> {
  const { rows } = await db.query<{ present: boolean }>(
    `SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present`,
  );
  return rows[0].present ? (await db.query<AppliedRow>(APPLIED_ROWS)).rows : [];
}

/** How a database's history stands against the migrations this code ships. */
export interface MigrationHistory {
  /** Shipped and not applied (a failed one included: it is not applied either). */
  pending: string[];
  /** Applied, and not among the shipped ones: newer code migrated the database. */
  unknown: string[];
}

export function compareHistory(
  migrations: Pick<Migration, 'name'>[],
  applied: AppliedRow[],
): MigrationHistory {
  const finished = new Set(
    applied.filter((row) => row.finished_at !== null).map((row) => row.migration_name),
  );
  const shipped = new Set(migrations.map((migration) => migration.name));
  return {
    pending: migrations.map((migration) => migration.name).filter((name) => !finished.has(name)),
    unknown: [...new Set(applied.map((row) => row.migration_name))].filter((name) => !shipped.has(name)),
  };
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Refuses a database whose history this code cannot stand on: a migration applied from a file that has
 * since been edited (its checksum differs: the schema is not what the file now says), or one this code
 * does not have (the database is ahead of it, as after a rollback of the code).
 */
function assertHistoryKnown(migrations: Migration[], applied: AppliedRow[]): void {
  const [unknown] = compareHistory(migrations, applied).unknown;
  if (unknown !== undefined) {
    throw new MigrationError(
      `The database has migration ${unknown}, which this code does not know: it is newer than the code`,
    );
  }
  const known = new Map(migrations.map((migration) => [migration.name, migration]));
  for (const row of applied) {
    if (row.finished_at !== null && row.checksum !== known.get(row.migration_name)?.checksum) {
      throw new MigrationError(
        `Migration ${row.migration_name} was edited after it was applied (checksum differs): restore the file, or add a new migration`,
      );
    }
  }
}

/**
 * The service applies migrations itself, rather than through `prisma migrate deploy`, because the
 * embedded database must be migrated at every start by the process that holds it (PGlite opens its
 * folder in one process), and the CLI needs its schema engine and a second connection. It keeps the
 * CLI's history table, checksums and lock, so either can continue the other's work.
 *
 * Applies pending migrations the way `prisma migrate deploy` does (same history table, checksums and
 * lock), each one atomically. Returns the names of the migrations it applied.
 */
export async function applyMigrations(
  connection: pg.ClientConfig,
  migrations?: Migration[],
): Promise<string[]> {
  const pending = migrations ?? (await readMigrations());
  const client = new pg.Client(connection);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    await client.query(HISTORY_TABLE);
    const { rows } = await client.query<AppliedRow>(APPLIED_ROWS);
    const applied = new Map(rows.map((row) => [row.migration_name, row]));
    assertHistoryKnown(pending, rows);
    const done: string[] = [];
    for (const migration of pending) {
      const previous = applied.get(migration.name);
      if (previous?.finished_at === null) {
        throw new MigrationError(
          `Migration ${migration.name} failed earlier and must be resolved (prisma migrate resolve) first`,
        );
      }
      if (previous) {
        continue;
      }
      const id = randomUUID();
      await client.query(
        'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
        [id, migration.checksum, migration.name],
      );
      try {
        // One simple-protocol query: PostgreSQL runs the whole script as one implicit transaction.
        await client.query(migration.sql);
      } catch (error) {
        await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, String(error)]);
        throw new MigrationError(`Migration ${migration.name} failed: ${String(error)}`);
      }
      await client.query(
        'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
        [id],
      );
      done.push(migration.name);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]).catch(() => undefined);
    await client.end();
  }
}
