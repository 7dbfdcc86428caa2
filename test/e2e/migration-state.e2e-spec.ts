import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { applyMigrations, readMigrations } from '@/database/migrator';
import { connectionOptions } from '@/database/pg-connection';

import { newUserInput, registerUser } from '../factories/users';
import type { ApiClient, ApiResponse } from '../helpers/api-client';
import { startServer } from '../helpers/test-app';
import { createTestDatabase, onServer, type TestDatabase } from '../helpers/test-database';

// Servers start on databases migrated here, step by step: past the 15 s default.
jest.setTimeout(60_000);

const NEWER_MIGRATION = '29990101000000_from_a_newer_version';

/** The app on `database` as a PostgreSQL server it does not migrate (DB_MIGRATE_ON_START unset). */
async function start(database: TestDatabase): Promise<{ app: NestFastifyApplication; api: ApiClient }> {
  return startServer(database.settings);
}

function expectNotMigrated(response: ApiResponse, named: string[]): void {
  expect(response.status).toBe(503);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.headers.get('retry-after')).toBe('30');
  expect(response.body).toMatchObject({ status: 503, code: 'DATABASE_NOT_MIGRATED' });
  for (const name of named) {
    expect(response.body.detail).toContain(name);
  }
}

function expectNotReady(response: ApiResponse, named: string[]): void {
  expect(response.status).toBe(503);
  expect(response.body).toMatchObject({ status: 503, code: 'NOT_READY' });
  expect(response.body.detail).toMatch(/^Not ready: database not migrated, /);
  for (const name of named) {
    expect(response.body.detail).toContain(name);
  }
}

/** Requests look at the database again at most once a second while it is not migrated. */
async function firstServed(api: ApiClient, path: string): Promise<ApiResponse> {
  const deadline = Date.now() + 3000;
  let response = await api.get(path);
  while (response.status === 503 && Date.now() < deadline) {
    await sleep(100);
    response = await api.get(path);
  }
  return response;
}

describe('a database without the migrations of this version', () => {
  let errors: jest.SpyInstance;

  beforeEach(() => {
    errors = jest.spyOn(Logger.prototype, 'error');
  });

  afterEach(() => {
    errors.mockRestore();
  });

  const notMigratedLogLines = () =>
    errors.mock.calls.map(([message]) => String(message)).filter((line) => line.includes('not migrated'));

  it('is refused until it is migrated, then served without a restart', async () => {
    const database = await createTestDatabase({ empty: true });
    const shipped = (await readMigrations()).map((migration) => migration.name);
    const { app, api } = await start(database);
    try {
      expect(notMigratedLogLines()).toEqual([expect.stringContaining('`npm run db:migrate`')]);
      expect(notMigratedLogLines()[0]).toContain(`${shipped.length} migrations pending`);

      expect((await api.get('/health/live')).status).toBe(200);
      const ready = await api.get('/health/ready');
      expectNotReady(ready, shipped);
      expect(ready.body.detail).toContain('run `npm run db:migrate`');

      const list = await api.get('/v1/posts');
      expectNotMigrated(list, shipped);
      expect(list.body.detail).toContain('run `npm run db:migrate`');
      expectNotMigrated(await api.get(`/v1/posts/${randomUUID()}`), shipped);
      expectNotMigrated(await api.post('/v1/auth/register', newUserInput()), shipped);
      // The documentation is served, and lists the refusal on API operations only.
      const document = (await (await fetch(new URL('/docs/openapi.json', api.baseUrl))).json()) as {
        paths: Record<string, Record<string, { responses: Record<string, any> }>>;
      };
      const examples = (path: string) =>
        Object.keys(document.paths[path].get.responses['503'].content['application/problem+json'].examples);
      expect(examples('/v1/posts')).toContain('DATABASE_NOT_MIGRATED');
      expect(examples('/health/ready')).not.toContain('DATABASE_NOT_MIGRATED');

      await applyMigrations(connectionOptions(database.url));
      // Requests alone find out, without a readiness probe or a restart.
      expect((await firstServed(api, '/v1/posts')).status).toBe(200);
      expect((await api.get('/health/ready')).status).toBe(200);
      await registerUser(api);
      expect(notMigratedLogLines()).toHaveLength(1);
    } finally {
      await app.close();
      await database.drop();
    }
  });

  it('is refused the same way when it has a migration this version does not know', async () => {
    const database = await createTestDatabase();
    await onServer(
      database.url,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
       VALUES ('${randomUUID()}', '${'0'.repeat(64)}', '${NEWER_MIGRATION}', now(), 1)`,
    );
    const { app, api } = await start(database);
    try {
      expect(notMigratedLogLines()).toEqual([expect.stringContaining(NEWER_MIGRATION)]);
      expect((await api.get('/health/live')).status).toBe(200);
      const ready = await api.get('/health/ready');
      expectNotReady(ready, [NEWER_MIGRATION]);
      expect(ready.body.detail).toContain('a newer version migrated it');
      const list = await api.get('/v1/posts');
      expectNotMigrated(list, [NEWER_MIGRATION]);
      expect(list.body.detail).not.toContain('pending');

      // Readiness looks again at every probe: once the history matches, the instance serves at once.
      await onServer(
        database.url,
        `DELETE FROM "_prisma_migrations" WHERE migration_name = '${NEWER_MIGRATION}'`,
      );
      expect((await api.get('/health/ready')).status).toBe(200);
      expect((await api.get('/v1/posts')).status).toBe(200);
    } finally {
      await app.close();
      await database.drop();
    }
  });

  it('is served at once when every migration is there', async () => {
    const database = await createTestDatabase();
    const { app, api } = await start(database);
    try {
      expect(notMigratedLogLines()).toEqual([]);
      expect((await api.get('/v1/posts')).status).toBe(200);
    } finally {
      await app.close();
      await database.drop();
    }
  });
});
