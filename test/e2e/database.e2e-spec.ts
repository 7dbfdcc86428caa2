import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PrismaService } from 'nestjs-prisma';

import { DATABASE_UNAVAILABLE, toProblem } from '@/common/errors/problem';
import { connectionOptions, withDatabase } from '@/database/pg-connection';
import { JobsService } from '@/jobs/jobs.service';
import type { Queue } from '@/jobs/queue';

import { createChat } from '../factories/chats';
import { createPost } from '../factories/posts';
import { newUserInput, registerUser } from '../factories/users';
import type { ApiClient, ApiResponse } from '../helpers/api-client';
import { TcpProxy } from '../helpers/tcp-proxy';
import { startServer } from '../helpers/test-app';
import { createTestDatabase, onServer, serverUrl, TestDatabase } from '../helpers/test-database';
import { singleAttemptQueue } from '../helpers/test-queues';

// Embedded databases start from nothing here and servers wait out idle periods: past the 15 s default.
jest.setTimeout(60_000);

/**
 * The app on a fresh database, reached through a proxy the test can cut, hang and restore; with
 * `cutAtStart`, the database is unreachable from before the app starts.
 */
async function startBehindProxy(
  overrides: Record<string, string> = {},
  { cutAtStart = false } = {},
): Promise<{
  app: NestFastifyApplication;
  api: ApiClient;
  proxy: TcpProxy;
  database: TestDatabase;
  close: () => Promise<void>;
}> {
  const database = await createTestDatabase();
  const target = connectionOptions(database.url);
  const proxy = new TcpProxy(target.host!, target.port!);
  await proxy.start();
  const proxied = new URL(database.url);
  proxied.port = String(proxy.port);
  if (cutAtStart) {
    await proxy.cut();
  }
  const { app, api } = await startServer({
    ...database.settings,
    DATABASE_URL: proxied.toString(),
    ...overrides,
  });
  return {
    app,
    api,
    proxy,
    database,
    close: async () => {
      await app.close();
      await proxy.stop();
      await database.drop();
    },
  };
}

/** Signed-in reads and writes along every path: the session check, named statements, Prisma. */
async function exerciseSignedIn(api: ApiClient): Promise<void> {
  const user = await registerUser(api);
  const me = await api.get('/v1/users/me', { token: user.accessToken });
  expect(me.status).toBe(200);
  const post = await createPost(api, user.accessToken);
  expect((await api.get(`/v1/posts/${post.id}`, { token: user.accessToken })).status).toBe(200);
  expect((await api.get(`/v1/posts/${post.id}`)).status).toBe(200);
  const patched = await api.patch(`/v1/posts/${post.id}`, { price: 999 }, { token: user.accessToken });
  expect(patched.status).toBe(200);
  expect((await api.post('/v1/saved-posts', { postId: post.id }, { token: user.accessToken })).status).toBe(
    201,
  );
  expect((await api.get('/v1/saved-posts', { token: user.accessToken })).status).toBe(200);
  expect((await api.get('/health/ready')).status).toBe(200);
}

function expectUnavailable(response: ApiResponse, started: number): void {
  expect(response.status).toBe(503);
  expect(response.body).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
  expect(response.headers.get('retry-after')).toBe('5');
  expect(response.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|timeout exceeded|prisma/i);
  // Fast: it does not wait out the connect timeout the test servers run with (10 s).
  expect(Date.now() - started).toBeLessThan(3000);
}

/** A test queue on `app` whose handler records the `n` of every job it runs. */
async function recordingQueue(app: NestFastifyApplication, name: string) {
  const jobs = app.get(JobsService);
  const queue = singleAttemptQueue<{ n: number }>(name);
  const ran: number[] = [];
  await jobs.register(queue, ({ n }) => {
    ran.push(n);
  });
  /** Resolves once the job of `n` has run, or at `deadline`. */
  const ranBy = async (n: number, deadline: number): Promise<void> => {
    while (!ran.includes(n) && Date.now() < deadline) {
      await sleep(50);
    }
  };
  return { jobs, queue, ran, ranBy };
}

/** A send while the database is unreachable fails as a request would: DATABASE_UNAVAILABLE. */
async function expectSendUnavailable(jobs: JobsService, queue: Queue<{ n: number }>): Promise<void> {
  const failure = await jobs.send(queue, { n: 1 }).catch((error: unknown) => error);
  expect(toProblem(failure)).toBe(DATABASE_UNAVAILABLE);
}

describe('database', () => {
  it('keeps serving signed-in requests across idle periods longer than the pool keeps a connection', async () => {
    const { api, close } = await startBehindProxy({ DB_IDLE_TIMEOUT_MS: '200' });
    try {
      await exerciseSignedIn(api);
      await sleep(600); // the pool closes its idle connection; the next request opens another
      await exerciseSignedIn(api);
      await sleep(600);
      await exerciseSignedIn(api);
    } finally {
      await close();
    }
  });

  it('keeps serving the embedded database of its own across idle periods', async () => {
    const { app, api } = await startServer({
      DATABASE_URL: undefined,
      DATA_DIR: 'memory://',
      DB_IDLE_TIMEOUT_MS: '200',
    });
    try {
      await exerciseSignedIn(api);
      await sleep(600);
      await exerciseSignedIn(api);
    } finally {
      await app.close();
    }
  });

  it('serves again after its database connections are ended from outside', async () => {
    const { api, proxy, database, close } = await startBehindProxy();
    try {
      await exerciseSignedIn(api);
      proxy.dropConnections();
      await sleep(100);
      await exerciseSignedIn(api);
      if (serverUrl()) {
        const name = connectionOptions(database.url).database!;
        await onServer(
          database.url,
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = '${name}' AND pid <> pg_backend_pid()`,
        );
        await sleep(100);
        await exerciseSignedIn(api);
      }
    } finally {
      await close();
    }
  });

  it('answers a fast 503 with Retry-After on every path while the database is unreachable, and recovers by itself', async () => {
    const { app, api, proxy, close } = await startBehindProxy();
    try {
      const user = await registerUser(api);
      const other = await registerUser(api);
      const chat = await createChat(api, user, [other, await registerUser(api)]); // a group: it can be left
      // The session check's answer is cached: the transaction below reaches the database itself.
      expect((await api.get('/v1/users/me', { token: user.accessToken })).status).toBe(200);

      await proxy.cut();
      let started = Date.now();
      expectUnavailable(await api.get('/v1/posts?limit=5'), started); // SqlClient, assembled statement
      started = Date.now();
      expectUnavailable(await api.get(`/v1/posts/${other.id}`), started); // SqlClient, prepared statement
      started = Date.now();
      expectUnavailable(await api.get(`/v1/users/${other.id}`), started); // Prisma
      started = Date.now();
      expectUnavailable(await api.post('/v1/auth/register', newUserInput()), started); // Prisma, nested write
      started = Date.now();
      expectUnavailable(
        await api.delete(`/v1/chats/${chat.id}/participants/me`, { token: user.accessToken }),
        started,
      );
      // An interactive transaction that cannot begin (no route starts with one: checked directly).
      const prisma = app.get(PrismaService);
      const failure = await prisma
        .$transaction((tx) => tx.$queryRaw`SELECT 1`)
        .catch((error: unknown) => error);
      expect(toProblem(failure)).toBe(DATABASE_UNAVAILABLE);
      const ready = await api.get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ code: 'NOT_READY', detail: 'Not ready: database unavailable.' });
      expect((await api.get('/health/live')).status).toBe(200);

      await proxy.restore();
      expect((await api.get('/health/ready')).status).toBe(200);
      expect((await api.get('/v1/posts?limit=5')).status).toBe(200);
      expect((await api.get(`/v1/users/${other.id}`)).status).toBe(200);
      expect(
        (await api.delete(`/v1/chats/${chat.id}/participants/me`, { token: user.accessToken })).status,
      ).toBe(204);
      await exerciseSignedIn(api);
    } finally {
      await close();
    }
  });

  it('keeps its job workers polling through an outage, and runs jobs again once the database is back', async () => {
    const { app, api, proxy, close } = await startBehindProxy({ JOBS_POLL_INTERVAL_MS: '100' });
    try {
      const { jobs, queue, ran, ranBy } = await recordingQueue(app, 'test-outage');
      await proxy.cut();
      await expectSendUnavailable(jobs, queue);
      await sleep(1000); // ten polls, each failing

      await proxy.restore();
      await jobs.send(queue, { n: 2 });
      await ranBy(2, Date.now() + 10_000);
      expect(ran).toEqual([2]);
      expect((await api.get('/health/ready')).status).toBe(200);
    } finally {
      await close();
    }
  });

  it('starts while its database server is unreachable, answers 503s, and starts its jobs once it answers', async () => {
    const { app, api, proxy, close } = await startBehindProxy(
      { JOBS_POLL_INTERVAL_MS: '100' },
      { cutAtStart: true },
    );
    try {
      expect((await api.get('/health/live')).status).toBe(200);
      expect((await api.get('/health/ready')).status).toBe(503);
      const started = Date.now();
      expectUnavailable(await api.get('/v1/posts'), started);
      const { jobs, queue, ran, ranBy } = await recordingQueue(app, 'test-late-start');
      await expectSendUnavailable(jobs, queue);

      await proxy.restore();
      // pg-boss starts on its next attempt (1 s, then 2 s after the first failure).
      const deadline = Date.now() + 15_000;
      let sent = false;
      while (!sent && Date.now() < deadline) {
        sent = await jobs.send(queue, { n: 2 }).then(
          () => true,
          () => false,
        );
        await sleep(100);
      }
      expect(sent).toBe(true);
      await ranBy(2, deadline);
      expect(ran).toEqual([2]);
      expect((await api.get('/health/ready')).status).toBe(200);
    } finally {
      await close();
    }
  });

  it('answers 503 once DB_CONNECT_TIMEOUT_MS passes while the database hangs, and recovers by itself', async () => {
    const { api, proxy, close } = await startBehindProxy({ DB_CONNECT_TIMEOUT_MS: '300' });
    try {
      const user = await registerUser(api);
      proxy.hang();
      for (const path of ['/v1/posts?limit=5', `/v1/users/${user.id}`]) {
        const response = await api.get(path);
        expect(response.status).toBe(503);
        expect(response.body).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
        expect(response.headers.get('retry-after')).toBe('5');
      }
      expect((await api.get('/health/ready')).status).toBe(503);
      await proxy.restore();
      expect((await api.get('/health/ready')).status).toBe(200);
      await exerciseSignedIn(api);
    } finally {
      await close();
    }
  });

  it('starts the embedded database in a data folder, migrates it and keeps it across restarts', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'listings-data-'));
    try {
      for (let run = 0; run < 2; run += 1) {
        const { app, api } = await startServer({ DATABASE_URL: undefined, DATA_DIR: dataDir });
        try {
          expect((await api.get('/health/ready')).status).toBe(200);
        } finally {
          await app.close();
        }
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a test database whose name does not say test', async () => {
    const { assertTestDatabase } = await import('../helpers/test-database');
    expect(() => assertTestDatabase(withDatabase('postgresql://u@localhost:5432/x', 'production'))).toThrow(
      /must contain "test"/,
    );
  });
});
