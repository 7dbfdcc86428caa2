import { setTimeout as sleep } from 'node:timers/promises';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';

import { RedisService } from '@/common/redis/redis.service';

import type { ApiClient, ApiResponse } from '../helpers/api-client';
import { createSharedDatabase, type SharedDatabase } from '../helpers/shared-database';
import { TcpProxy } from '../helpers/tcp-proxy';
import { METRICS_TOKEN, startServer } from '../helpers/test-app';
import { dropKeys, inspectRedis, keysUnder, testRedisPrefix, testRedisUrl } from '../helpers/test-redis';

/**
 * What the tests measured (latencies, windows), printed with TEST_MEASURE=1 only: the run stays quiet,
 * and a failing bound shows its value in the assertion anyway.
 */
function measured(line: string): void {
  if (process.env.TEST_MEASURE) {
    process.stdout.write(line);
  }
}

/**
 * Two instances of the service on one database and one Redis, the Redis behind a proxy the tests
 * cut, hang, freeze and restore. Every test speaks from addresses of its own (X-Forwarded-For, which
 * the instances trust), so the shared limits of one test do not meet those of another.
 */
const PREFIX = testRedisPrefix('instances');
const THROTTLE_LIMIT = 6;
/** Below THROTTLE_LIMIT: the failures and the refusals after them stay within the route's limit. */
const PAIR_LIMIT = 3;
const PING_INTERVAL_MS = 200;
const COMMAND_TIMEOUT_MS = 100;
/** How long B may still accept an ended session: a moment (pub/sub), never the cache's 60 s TTL. */
const STALE_LIMIT_MS = 1000;

interface Instance {
  name: string;
  app: NestFastifyApplication;
  api: ApiClient;
}

let database: SharedDatabase;
/** On the embedded database: one PGlite session shared by both instances (see the proxy). */
let proxy: TcpProxy;
let inspect: Redis;
let a: Instance;
let b: Instance;

let addresses = 0;
/** An address no request used yet. */
function freshAddress(): string {
  addresses += 1;
  return `10.77.${addresses >> 8}.${addresses & 255}`;
}
const from = (address = freshAddress()) => ({ headers: { 'x-forwarded-for': address } });

async function register(
  instance: Instance,
): Promise<{ email: string; password: string; accessToken: string }> {
  const tag = `${Date.now().toString(36)}${addresses}`;
  const input = { email: `i-${tag}@example.com`, username: `i_${tag}`, password: `pw-${tag}-correct-horse` };
  const response = await instance.api.post('/v1/auth/register', input, from());
  expect(response.status).toBe(201);
  return { ...input, accessToken: response.body.accessToken };
}

async function login(
  instance: Instance,
  email: string,
  password: string,
  address: string,
): Promise<ApiResponse> {
  return instance.api.post('/v1/auth/login', { email, password }, from(address));
}

const me = (instance: Instance, token: string) => instance.api.get('/v1/users/me', { token, ...from() });

/** The request's status and how long it took (ms). */
async function timed(request: Promise<ApiResponse>): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await request;
  return { status: response.status, ms: performance.now() - started };
}

async function redisState(instance: Instance): Promise<string | undefined> {
  const ready = await instance.api.get('/health/ready');
  expect(ready.status).toBe(200);
  return ready.body.checks.redis?.status;
}

/** Waits until both instances report Redis in `state`; how long that took (ms). */
async function untilRedis(state: 'up' | 'down', timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  while ((await redisState(a)) !== state || (await redisState(b)) !== state) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`Redis not ${state} on both instances after ${timeoutMs} ms`);
    }
    await sleep(20);
  }
  return Date.now() - started;
}

async function metric(instance: Instance, series: string): Promise<number> {
  const text = (await instance.api.get('/metrics', { token: METRICS_TOKEN })).text;
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return Number(line?.split(' ')[1] ?? 0); // a counter not yet incremented has no series
}

/**
 * `limit` requests from one address spread over both instances pass; the next is refused. Each
 * instance stops asking Redis for a moment after one of its commands missed the 100 ms deadline (it
 * counts in its own window meanwhile, by design), which a loaded machine can cause now and then: so
 * the count may be tried three times, each with an address of its own, and must be exact once.
 */
async function expectSharedLimit(): Promise<void> {
  const seen: string[] = [];
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const address = freshAddress();
    const remaining: string[] = [];
    for (let request = 0; request < THROTTLE_LIMIT; request += 1) {
      const page = await (request % 2 ? b : a).api.get('/v1/posts', from(address));
      expect(page.status).toBe(200);
      remaining.push(page.headers.get('x-ratelimit-remaining') ?? '');
    }
    if (remaining.every((left, request) => left === String(THROTTLE_LIMIT - 1 - request))) {
      const limited = await a.api.get('/v1/posts', from(address));
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await b.api.get('/v1/posts', from(address))).status).toBe(429);
      return;
    }
    seen.push(remaining.join(','));
    measured(`instances: shared count not exact (remaining ${remaining.join(',')}), trying again\n`);
  }
  throw new Error(`the instances never counted one window together: remaining ${seen.join(' / ')}`);
}

/**
 * How long (ms) B still accepted a token after the change that ended it had answered on A. The
 * invalidation travels on pub/sub, so it reaches B a moment after that answer; without it B would
 * accept the token for the session cache's TTL (60 s here). Time, not a count of requests: how many
 * requests fit in that moment depends on how busy the machine is.
 */
const staleWindows: string[] = [];
async function untilRefusedByB(token: string): Promise<number> {
  const started = performance.now();
  let stale = 0;
  while ((await me(b, token)).status !== 401) {
    stale += 1;
    if (performance.now() - started > 5 * STALE_LIMIT_MS) {
      throw new Error('B still accepts the token 5 s after the change');
    }
    await sleep(2);
  }
  const ms = performance.now() - started;
  staleWindows.push(
    `${ms.toFixed(1)} ms (${stale} requests, listening ${b.app.get(RedisService).listening})`,
  );
  return ms;
}

/** A logout on A: the token is refused on B at once, though B had its session cached. */
async function expectLogoutSeenByB(): Promise<void> {
  const user = await register(a);
  expect((await me(b, user.accessToken)).status).toBe(200); // B caches the session (TTL 60 s)
  expect((await me(b, user.accessToken)).status).toBe(200);
  const logout = await a.api.post('/v1/auth/logout', undefined, { token: user.accessToken, ...from() });
  expect(logout.status).toBe(204);
  expect(await untilRefusedByB(user.accessToken)).toBeLessThan(STALE_LIMIT_MS);
  expect((await me(a, user.accessToken)).status).toBe(401);
}

beforeAll(async () => {
  database = await createSharedDatabase();
  const redis = new URL(testRedisUrl());
  proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
  await proxy.start();
  inspect = inspectRedis();
  const proxied = new URL(testRedisUrl());
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  const settings = {
    ...database.database.settings,
    DATABASE_URL: database.url,
    REDIS_URL: proxied.toString(),
    REDIS_PREFIX: PREFIX,
    REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
    REDIS_PING_INTERVAL_MS: String(PING_INTERVAL_MS),
    REDIS_CONNECT_TIMEOUT_MS: '1000',
    JWT_SECRET: 'the-same-secret-on-every-instance-0123456789', // tokens of one are good on the other
    TRUST_PROXY: 'true',
    THROTTLE_LIMIT: String(THROTTLE_LIMIT),
    THROTTLE_TTL_MS: '60000',
    LOGIN_FAILURE_LIMIT: String(PAIR_LIMIT),
    LOGIN_FAILURE_WINDOW_MS: '60000',
    // Long: only an invalidation can make an instance forget a session within a test.
    SESSION_CACHE_TTL_MS: '60000',
  };
  a = { name: 'A', ...(await startServer(settings)) };
  b = { name: 'B', ...(await startServer(settings)) };
  // Building B blocks the event loop longer than a ping may take: A may be reconnecting meanwhile.
  await untilRedis('up');
});

afterAll(async () => {
  measured(`instances: how long B still accepted a token after a change on A: ${staleWindows.join('; ')}\n`);
  await a?.app.close();
  await b?.app.close();
  await proxy?.stop();
  await database?.drop();
  if (inspect) {
    await dropKeys(inspect, PREFIX);
    await inspect.quit();
  }
});

describe('several instances on one database and one Redis', () => {
  it('report Redis up in readiness', async () => {
    for (const instance of [a, b]) {
      const ready = await instance.api.get('/health/ready');
      expect(ready.body).toEqual({
        status: 'ok',
        checks: { database: { status: 'up' }, redis: { status: 'up' } },
      });
    }
    expect(await metric(a, 'redis_up{connection="command"}')).toBe(1);
    expect(await metric(a, 'redis_up{connection="subscriber"}')).toBe(1);
  });

  it('share one rate limit: the (limit + 1)th request across both is refused', async () => {
    await expectSharedLimit();
    // The throttler's keys are under the prefix.
    expect((await keysUnder(inspect, PREFIX)).some((key) => key.endsWith(':default}:hits'))).toBe(true);
  });

  it('share the failed logins of an account: the pair limit is reached alternating instances', async () => {
    const user = await register(a);
    const attacker = freshAddress();
    for (let attempt = 0; attempt < PAIR_LIMIT; attempt += 1) {
      expect((await login(attempt % 2 ? b : a, user.email, 'wrong-password', attacker)).status).toBe(401);
    }
    for (const instance of [a, b]) {
      const refused = await login(instance, user.email, user.password, attacker);
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
    }
    // The owner, from elsewhere, is not concerned.
    expect((await login(b, user.email, user.password, freshAddress())).status).toBe(200);
  });

  it('forget a session on every instance at once when it is ended on one', async () => {
    await expectLogoutSeenByB();
    // And a password change (every other session of the user).
    const user = await register(a);
    const second = await login(b, user.email, user.password, freshAddress());
    expect((await me(b, second.body.accessToken)).status).toBe(200);
    const changed = await a.api.post(
      '/v1/auth/password',
      { currentPassword: user.password, newPassword: `${user.password}-new` },
      { token: user.accessToken, ...from() },
    );
    expect(changed.status).toBe(204);
    expect(await untilRefusedByB(second.body.accessToken)).toBeLessThan(STALE_LIMIT_MS);
  });

  it("note an API key's use once a minute whichever instance it is used on", async () => {
    const owner = await register(a);
    const account = await a.api.post(
      '/v1/accounts',
      { name: 'Shared Homes' },
      { token: owner.accessToken, ...from() },
    );
    expect(account.status).toBe(201);
    const key = await a.api.post(
      `/v1/accounts/${account.body.id}/api-keys`,
      { name: 'both', scopes: ['posts:read'] },
      { token: owner.accessToken, ...from() },
    );
    const lastUsedAt = async (): Promise<string | null> => {
      const list = await a.api.get(`/v1/accounts/${account.body.id}/api-keys`, {
        token: owner.accessToken,
        ...from(),
      });
      return list.body.data.find((entry: { id: string }) => entry.id === key.body.id).lastUsedAt;
    };
    expect((await a.api.get('/v1/posts?limit=1', { headers: { 'x-api-key': key.body.secret } })).status).toBe(
      200,
    );
    let first: string | null = null;
    for (let attempt = 0; attempt < 40 && !first; attempt += 1) {
      first = await lastUsedAt();
      await sleep(25);
    }
    expect(first).not.toBeNull();
    for (const instance of [b, a, b]) {
      expect(
        (await instance.api.get('/v1/posts?limit=1', { headers: { 'x-api-key': key.body.secret } })).status,
      ).toBe(200);
    }
    await sleep(200);
    expect(await lastUsedAt()).toBe(first);
  });

  describe('while Redis is cut', () => {
    let cachedOnB: { email: string; password: string; accessToken: string };
    let transitionsBefore: number;

    beforeAll(async () => {
      cachedOnB = await register(a);
      expect((await me(b, cachedOnB.accessToken)).status).toBe(200); // cached on B before the outage
      transitionsBefore = await metric(a, 'redis_transitions_total{connection="command",state="down"}');
      await proxy.cut();
      await untilRedis('down');
    });

    it('answer fast, every request, without waiting on Redis', async () => {
      const user = await register(b);
      const durations: number[] = [];
      for (let round = 0; round < 5; round += 1) {
        for (const instance of [a, b]) {
          for (const request of [
            instance.api.get('/v1/posts', from()),
            instance.api.get('/v1/users/me', { token: user.accessToken, ...from() }),
            instance.api.post('/v1/auth/login', { email: user.email, password: 'wrong' }, from()),
          ]) {
            const { status, ms } = await timed(request);
            expect([200, 401]).toContain(status);
            durations.push(ms);
          }
        }
      }
      measured(
        `instances: with Redis cut, ${durations.length} requests, max ${Math.max(...durations).toFixed(1)} ms\n`,
      );
      expect(Math.max(...durations)).toBeLessThan(1000);
    });

    it('count limits per instance', async () => {
      const address = freshAddress();
      for (let request = 0; request < THROTTLE_LIMIT; request += 1) {
        expect((await a.api.get('/v1/posts', from(address))).status).toBe(200);
      }
      expect((await a.api.get('/v1/posts', from(address))).status).toBe(429);
      // B counts on its own: the same address is not limited there.
      expect((await b.api.get('/v1/posts', from(address))).status).toBe(200);

      const user = await register(a);
      const attacker = freshAddress();
      for (let attempt = 0; attempt < PAIR_LIMIT; attempt += 1) {
        expect((await login(a, user.email, 'wrong-password', attacker)).status).toBe(401);
      }
      expect((await login(a, user.email, user.password, attacker)).status).toBe(429);
      expect((await login(b, user.email, user.password, attacker)).status).toBe(200);
    });

    it('stay ready, reporting Redis down, with a metric of the transition', async () => {
      for (const instance of [a, b]) {
        const ready = await instance.api.get('/health/ready');
        expect(ready.status).toBe(200);
        expect(ready.body.checks).toEqual({ database: { status: 'up' }, redis: { status: 'down' } });
      }
      expect(await metric(a, 'redis_up{connection="command"}')).toBe(0);
      expect(await metric(a, 'redis_up{connection="subscriber"}')).toBe(0);
      expect(await metric(a, 'redis_transitions_total{connection="command",state="down"}')).toBeGreaterThan(
        transitionsBefore,
      );
    });

    it('check sessions in the database: a logout on A is seen by B without Redis', async () => {
      const logout = await a.api.post('/v1/auth/logout', undefined, {
        token: cachedOnB.accessToken,
        ...from(),
      });
      expect(logout.status).toBe(204);
      expect((await me(b, cachedOnB.accessToken)).status).toBe(401);
    });
  });

  describe('once Redis is back', () => {
    let recoveryMs: number;

    beforeAll(async () => {
      await proxy.restore();
      recoveryMs = await untilRedis('up');
    });

    it('share again, by themselves', async () => {
      measured(`instances: Redis up again on both ${recoveryMs} ms after the restore\n`);
      expect(recoveryMs).toBeLessThan(3000);
      await expectSharedLimit();
      await expectLogoutSeenByB();
      expect(await metric(a, 'redis_up{connection="command"}')).toBe(1);
    });
  });

  describe('when Redis hangs (connections dropped, new ones never answered)', () => {
    it('goes on without it, reports it down, and recovers after the restore', async () => {
      proxy.hang();
      await untilRedis('down');
      const durations: number[] = [];
      for (let request = 0; request < 10; request += 1) {
        durations.push((await timed((request % 2 ? b : a).api.get('/v1/posts', from()))).ms);
      }
      measured(`instances: with Redis hung, max ${Math.max(...durations).toFixed(1)} ms\n`);
      expect(Math.max(...durations)).toBeLessThan(1000);
      await proxy.restore();
      await untilRedis('up');
      await expectSharedLimit();
    });
  });

  describe('when the connections freeze without closing', () => {
    it('finds the silent subscriber by its missed ping, bypasses the cache, and recovers after the restore', async () => {
      const user = await register(a);
      expect((await me(b, user.accessToken)).status).toBe(200); // cached on B
      const baseline: number[] = [];
      for (let request = 0; request < 6; request += 1) {
        baseline.push((await timed((request % 2 ? b : a).api.get('/v1/posts', from()))).ms);
      }

      proxy.freeze();
      const frozenAt = Date.now();
      // Right after the freeze the connections still look ready: a request waits one command timeout
      // at most, and the connection is then taken down for the next ones.
      const durations: number[] = [];
      for (let request = 0; request < 6; request += 1) {
        durations.push((await timed((request % 2 ? b : a).api.get('/v1/posts', from()))).ms);
      }
      // Nothing but the watchdog's pings goes on the subscribers' connections: they found them.
      while (a.app.get(RedisService).listening || b.app.get(RedisService).listening) {
        expect(Date.now() - frozenAt).toBeLessThan(5000);
        await sleep(10);
      }
      const detectedMs = Date.now() - frozenAt;
      expect(await redisState(a)).toBe('down');
      expect(await redisState(b)).toBe('down');
      measured(
        `instances: frozen: baseline max ${Math.max(...baseline).toFixed(1)} ms, after the freeze ` +
          `${durations.map((ms) => ms.toFixed(0)).join(', ')} ms; subscribers found silent within ${detectedMs} ms\n`,
      );
      expect(Math.max(...durations)).toBeLessThan(Math.max(...baseline) + COMMAND_TIMEOUT_MS + 150);
      expect(detectedMs).toBeLessThan(5000);

      // B no longer trusts its cache: the logout on A (which Redis cannot carry) is seen through the database.
      const logout = await timed(
        a.api.post('/v1/auth/logout', undefined, { token: user.accessToken, ...from() }),
      );
      expect(logout.status).toBe(204);
      expect((await me(b, user.accessToken)).status).toBe(401);

      await proxy.restore();
      await untilRedis('up');
      await expectSharedLimit();
      await expectLogoutSeenByB();
    });
  });
});
