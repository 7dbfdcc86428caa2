import { ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Socket } from 'socket.io-client';

import { createChat, sendMessage } from '../factories/chats';
import { registerUser } from '../factories/users';
import { ApiClient } from '../helpers/api-client';
import { freePort, startServerProcess } from '../helpers/processes';
import { connectRealtime, Inbox } from '../helpers/realtime-client';
import { createSharedDatabase, type SharedDatabase } from '../helpers/shared-database';
import { startServer } from '../helpers/test-app';
import { testRedisPrefix } from '../helpers/test-redis';
import { waitFor } from '../helpers/wait-for';

// Real processes start here (seconds each on a busy machine): past the suite's 15 s default.
jest.setTimeout(120_000);

/**
 * REDIS_URL names a Redis that refuses connections when the instances start: they start and serve as
 * during an outage (before: the process ended on an unhandled MaxRetriesPerRequestError of the
 * realtime adapter's subscription, about a second after listening), and use Redis once it comes.
 */
const PREFIX = testRedisPrefix('redis-at-start');
/** How long the instance must outlive its start (the old code ended within about 1.5 s of it). */
const SURVIVE_MS = 5000;

async function redisCheck(api: ApiClient): Promise<unknown> {
  const ready = await api.get('/health/ready');
  return { status: ready.status, redis: (ready.body as { checks: { redis?: unknown } }).checks.redis };
}

describe('Redis unreachable at start', () => {
  let database: SharedDatabase;
  let redisPort: number;
  let redis: ChildProcess | undefined;
  let a: { child: ChildProcess; url: string; output: () => string; api: ApiClient };
  let b: { app: NestFastifyApplication; api: ApiClient; url: string };
  const sockets: Socket[] = [];

  beforeAll(async () => {
    database = await createSharedDatabase();
    redisPort = await freePort();
    const settings = {
      ...database.database.settings,
      DATABASE_URL: database.url,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_PREFIX: PREFIX,
      JWT_SECRET: 'the-same-secret-on-every-instance-0123456789',
    } as Record<string, string>;
    // The real server in a process of its own: an unhandled rejection ends it.
    const started = await startServerProcess(settings);
    a = { ...started, api: new ApiClient(started.url) };
    const inJest = await startServer(settings);
    b = { ...inJest, url: await inJest.app.getUrl() };
  });

  afterAll(async () => {
    for (const socket of sockets) {
      socket.close();
    }
    if (a?.child.exitCode === null) {
      const exited = new Promise((resolve) => a.child.once('exit', resolve));
      a.child.kill('SIGTERM');
      await exited;
    }
    await b?.app.close();
    if (redis?.exitCode === null) {
      const stopped = new Promise((resolve) => redis!.once('exit', resolve));
      redis.kill();
      await stopped;
    }
    await database?.drop();
  });

  it('starts and serves as during an outage, then uses Redis once it comes', async () => {
    const startedAt = Date.now();
    expect(await redisCheck(a.api)).toEqual({ status: 200, redis: { status: 'down' } });
    expect((await a.api.get('/v1/posts')).status).toBe(200);

    // Realtime on one instance meanwhile: delivered at once; the socket's end stores a session to recover.
    const [alice, bob] = await Promise.all([registerUser(a.api), registerUser(a.api)]);
    const chat = await createChat(a.api, alice, [bob]);
    const onA = new Inbox(await connectRealtime(a.url, bob.accessToken));
    sockets.push(onA.socket);
    const sentAt = Date.now();
    await sendMessage(a.api, chat.id, alice, 'while Redis is away');
    await onA.next('message.created', 1, 1000);
    expect(Date.now() - sentAt).toBeLessThan(1000);
    onA.socket.close();

    await sleep(Math.max(0, SURVIVE_MS - (Date.now() - startedAt)));
    expect(a.child.exitCode).toBeNull();
    expect(a.output()).not.toMatch(/MaxRetriesPerRequestError|Unhandled|unhandled/);
    expect(await redisCheck(a.api)).toEqual({ status: 200, redis: { status: 'down' } });

    redis = spawn(
      'redis-server',
      [
        '--port',
        String(redisPort),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore' },
    );
    for (const instance of [a.api, b.api]) {
      await waitFor(
        async () =>
          JSON.stringify(await redisCheck(instance)) ===
          JSON.stringify({ status: 200, redis: { status: 'up' } }),
        'readiness to report Redis up',
      );
    }

    // Events cross the instances again: a message sent through A reaches a socket on B.
    const onB = new Inbox(await connectRealtime(b.url, bob.accessToken));
    sockets.push(onB.socket);
    let sent = 0;
    await waitFor(async () => {
      await sendMessage(a.api, chat.id, alice, `across instances ${(sent += 1)}`);
      return onB
        .next('message.created', 1, 1000)
        .then(() => true)
        .catch(() => false);
    }, 'a message sent on A to reach a socket on B');
    expect(a.child.exitCode).toBeNull();
  });
});
