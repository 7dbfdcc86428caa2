import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Jest loads global setup outside its module map, so this chain imports src by relative paths.
import { EmbeddedDatabase, IN_MEMORY } from '../src/database/embedded-database';
import { applyMigrations } from '../src/database/migrator';
import { connectionOptions, withDatabase } from '../src/database/pg-connection';
import {
  assertTestDatabase,
  onServer,
  PGLITE_TEMPLATE_VARIABLE,
  serverUrl,
  templateName,
} from './helpers/test-database';

/**
 * Migrates a template once; each test file then copies it: with TEST_DATABASE_URL a template database
 * on that server, otherwise an embedded database dumped to a file that each file's PGlite loads.
 */
export default async function globalSetup(): Promise<void> {
  const server = serverUrl();
  if (!server) {
    const embedded = await EmbeddedDatabase.start(IN_MEMORY, 2);
    try {
      await applyMigrations(embedded.connection);
      const file = path.join(await mkdtemp(path.join(tmpdir(), 'pglite-template-')), 'migrated.tar');
      await writeFile(file, Buffer.from(await (await embedded.dump()).arrayBuffer()));
      process.env[PGLITE_TEMPLATE_VARIABLE] = file;
    } finally {
      await embedded.stop();
    }
    return;
  }
  assertTestDatabase(server);
  process.env.TEST_RUN_ID ??= String(process.pid);
  const template = templateName(server);
  await onServer(server, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  await onServer(server, `CREATE DATABASE "${template}"`);
  await applyMigrations(connectionOptions(withDatabase(server, template)));
}
