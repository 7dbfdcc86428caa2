import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import type { AppOptions } from '@/app.module';
import { createApp } from '@/app.setup';

import { ApiClient } from './api-client';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  api: ApiClient;
  database: TestDatabase;
  close(): Promise<void>;
}

/** What the test servers' /metrics answers to. */
export const METRICS_TOKEN = 'test-metrics-token-0123456789';

/** Settings of every test server: quiet, no .env file, a throttle that load from tests never meets. */
export const TEST_SETTINGS: Record<string, string | undefined> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  THROTTLE_LIMIT: '100000',
  AUTH_THROTTLE_LIMIT: '100000',
  LOGIN_FAILURE_LIMIT: '100000',
  LOGIN_ACCOUNT_FAILURE_LIMIT: '100000',
  LOGIN_ADDRESS_FAILURE_LIMIT: '100000',
  DB_POOL_SIZE: '5',
  DB_CONNECT_TIMEOUT_MS: '10000',
  METRICS_TOKEN,
  // Webhook receivers of the tests listen on loopback; test/e2e/webhooks-ssrf turns this off.
  WEBHOOK_ALLOW_INSECURE: 'true',
  // Nothing on disk under the checkout: mails without SMTP_URL go to an outbox in the temporary folder.
  DATA_DIR: 'memory://',
};

/**
 * How long starting or closing a test app may take: a database and the whole application, which a
 * machine busy with the other test worker makes slower than the 15 s a test gets.
 */
export const START_TIMEOUT_MS = 60_000;

/** Starts the application over HTTP on a free loopback port. */
export async function startServer(
  overrides: Record<string, string | undefined>,
  options: Pick<AppOptions, 'clock'> = {},
): Promise<{
  app: NestFastifyApplication;
  api: ApiClient;
}> {
  const app = await createApp({ ...options, envFile: false, overrides: { ...TEST_SETTINGS, ...overrides } });
  await app.listen(0, '127.0.0.1');
  return { app, api: new ApiClient(await app.getUrl()) };
}

/** The application over HTTP against a fresh database of its own. */
export async function startTestApp(
  overrides: Record<string, string | undefined> = {},
  options: Pick<AppOptions, 'clock'> = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const { app, api } = await startServer({ ...database.settings, ...overrides }, options);
  return {
    app,
    api,
    database,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

/**
 * The test app of the enclosing `describe`: started before its tests (`beforeAll`), closed after them
 * (`afterAll`). Its fields are there once the tests run:
 *
 *     const server = useTestApp();
 *     it('...', async () => { await server.api.get('/health/live'); });
 */
export function useTestApp(
  overrides: Record<string, string | undefined> = {},
  options: Pick<AppOptions, 'clock'> = {},
): TestApp {
  let started: TestApp | undefined;
  beforeAll(async () => {
    started = await startTestApp(overrides, options);
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await started?.close();
  }, START_TIMEOUT_MS);
  const current = (): TestApp => {
    if (!started) {
      throw new Error('The test app starts in beforeAll: use it inside tests and hooks');
    }
    return started;
  };
  return {
    get app() {
      return current().app;
    },
    get api() {
      return current().api;
    },
    get database() {
      return current().database;
    },
    close: () => current().close(),
  };
}
