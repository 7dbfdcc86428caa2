import { applyMigrations } from '../src/database/migrator';
import { connectionOptions, withDatabase } from '../src/database/pg-connection';
import { assertTestDatabase, onServer, serverUrl, templateName } from './helpers/test-database';

/** With TEST_DATABASE_URL, migrates a template database once; each test file then copies it. */
export default async function globalSetup(): Promise<void> {
  const server = serverUrl();
  if (!server) {
    return;
  }
  assertTestDatabase(server);
  process.env.TEST_RUN_ID ??= String(process.pid);
  const template = templateName(server);
  await onServer(server, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  await onServer(server, `CREATE DATABASE "${template}"`);
  await applyMigrations(connectionOptions(withDatabase(server, template)));
}
