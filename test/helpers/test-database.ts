import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import pg from 'pg';

// Jest loads global setup outside its module map, so this chain imports src by relative paths.
import { EMBEDDED_CONNECTIONS } from '../../src/database/database-connection';
import { EmbeddedDatabase, IN_MEMORY } from '../../src/database/embedded-database';
import { applyMigrations } from '../../src/database/migrator';
import { connectionOptions, databaseName, withDatabase } from '../../src/database/pg-connection';

/** A database of one test file: its URL, and how to throw it away. */
export interface TestDatabase {
  url: string;
  /** Settings the application needs for this database. */
  settings: Record<string, string>;
  drop(): Promise<void>;
}

/** Refuses to run against a database that is not plainly a test database. */
export function assertTestDatabase(url: string): void {
  const name = databaseName(url);
  if (!name.includes('test')) {
    throw new Error(`Refusing to run tests against database "${name}": its name must contain "test".`);
  }
}

export function serverUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || undefined;
}

/**
 * The migrated template of this test run: named after the run (global setup sets TEST_RUN_ID, which
 * the test workers inherit), so two runs on one server never drop each other's template.
 */
export function templateName(url: string): string {
  return `${databaseName(url)}_template_${process.env.TEST_RUN_ID ?? 'run'}`;
}

/** Runs `sql` on the maintenance connection of the server that `url` points at. */
export async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client(connectionOptions(url));
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, migrated database: on the PostgreSQL server of TEST_DATABASE_URL, a copy of the template
 * that global setup migrated; otherwise an in-memory PGlite served on a loopback port. With `empty`, one
 * that no migration has touched.
 */
export async function createTestDatabase({ empty = false } = {}): Promise<TestDatabase> {
  const server = serverUrl();
  if (server) {
    assertTestDatabase(server);
    const name = `${databaseName(server)}_${randomBytes(6).toString('hex')}`;
    assertTestDatabase(withDatabase(server, name));
    await onServer(server, `CREATE DATABASE "${name}"${empty ? '' : ` TEMPLATE "${templateName(server)}"`}`);
    return {
      url: withDatabase(server, name),
      settings: { DATABASE_URL: withDatabase(server, name) },
      drop: () => onServer(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    };
  }
  const template = empty ? undefined : await migratedTemplate();
  const embedded = await EmbeddedDatabase.start(IN_MEMORY, EMBEDDED_CONNECTIONS, { template });
  if (!empty && !template) {
    await applyMigrations(embedded.connection);
  }
  const { host, port, user, database } = embedded.connection;
  const url = `postgresql://${user}@${host}:${port}/${database}`;
  return {
    url,
    // One connection, as the application keeps with its own embedded database.
    settings: { DATABASE_URL: url, DB_POOL_SIZE: '1' },
    drop: () => embedded.stop(),
  };
}

/** Where global setup left the migrated embedded database of this run (a tarball), for every test file. */
export const PGLITE_TEMPLATE_VARIABLE = 'TEST_PGLITE_TEMPLATE';

/** The migrated template of this run, when global setup made one (not for a file run without it). */
async function migratedTemplate(): Promise<Blob | undefined> {
  const file = process.env[PGLITE_TEMPLATE_VARIABLE];
  return file ? new Blob([await readFile(file)]) : undefined;
}
