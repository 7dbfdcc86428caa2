import { setTimeout as sleep } from 'node:timers/promises';

import { Logger } from '@nestjs/common';
import { register } from 'prom-client';

import type { AppConfig } from '@/config/config.module';
import { strictFake } from '@test/helpers/strict-fake';
import { TcpProxy } from '@test/helpers/tcp-proxy';
import { dropKeys, inspectRedis, testRedisPrefix, testRedisUrl } from '@test/helpers/test-redis';

import { RedisService } from './redis.service';

const PREFIX = testRedisPrefix('redis-service');

function config(url: string | undefined, pingIntervalMs = 100): AppConfig {
  const values: Record<string, unknown> = {
    REDIS_URL: url,
    REDIS_PREFIX: PREFIX,
    REDIS_COMMAND_TIMEOUT_MS: 100,
    REDIS_CONNECT_TIMEOUT_MS: 1000,
    REDIS_PING_INTERVAL_MS: pingIntervalMs,
  };
  return strictFake<AppConfig>({ get: (key: string) => values[key] });
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) {
      throw new Error('condition not met in time');
    }
    await sleep(5);
  }
  return Date.now() - started;
}

async function transitions(connection: string, state: string): Promise<number> {
  const metric = await register.getSingleMetric('redis_transitions_total')?.get();
  return (
    metric?.values.find((value) => value.labels.connection === connection && value.labels.state === state)
      ?.value ?? 0
  );
}

describe(RedisService.name, () => {
  beforeAll(() => Logger.overrideLogger(['error']));

  it('creates nothing without REDIS_URL, and is never available', async () => {
    const redis = new RedisService(config(undefined));
    await redis.onModuleInit();
    expect(redis.enabled).toBe(false);
    expect(redis.available).toBe(false);
    expect(redis.listening).toBe(false);
    await expect(redis.attempt(() => Promise.resolve(1))).resolves.toBeUndefined();
    expect(() => redis.client).toThrow(/REDIS_URL/);
    await redis.onApplicationShutdown();
  });

  describe('behind a connection the test breaks', () => {
    const target = new URL(testRedisUrl());
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    let redis: RedisService;

    beforeAll(async () => {
      await proxy.start();
      const url = new URL(testRedisUrl());
      url.hostname = '127.0.0.1';
      url.port = String(proxy.port);
      redis = new RedisService(config(url.toString()));
      redis.subscribe('test', () => undefined);
      await redis.onModuleInit();
    });

    afterAll(async () => {
      await redis.onApplicationShutdown();
      await redis.onApplicationShutdown(); // once only: a second close does nothing
      await proxy.stop();
      const inspect = inspectRedis();
      await dropKeys(inspect, PREFIX);
      await inspect.quit();
    });

    it('runs commands under the prefix while up', async () => {
      expect(redis.available && redis.listening).toBe(true);
      await expect(redis.attempt((client) => client.set('k', 'v'))).resolves.toBe('OK');
      const inspect = inspectRedis();
      expect(await inspect.get(`${PREFIX}k`)).toBe('v');
      await inspect.quit();
    });

    it('keeps a connection whose reply was only late because the event loop stalled', async () => {
      const downs = await transitions('command', 'down');
      const pending = redis.attempt((client) => client.get('k'));
      const stalled = Date.now();
      while (Date.now() - stalled < 150) {
        // a synchronous stall longer than the command timeout
      }
      await expect(pending).resolves.toBeUndefined(); // timed out: done without Redis this time
      await until(() => redis.available, 500); // the probe answered: no reconnection
      expect(await transitions('command', 'down')).toBe(downs);
      await expect(redis.attempt((client) => client.get('k'))).resolves.toBe('v');
    });

    it('waits one timeout at most on a frozen connection, then skips Redis, and recovers after it', async () => {
      const downs = await transitions('command', 'down');
      proxy.freeze();
      let started = Date.now();
      await expect(redis.attempt((client) => client.get('k'))).resolves.toBeUndefined();
      const first = Date.now() - started;
      started = Date.now();
      await expect(redis.attempt((client) => client.get('k'))).resolves.toBeUndefined();
      const next = Date.now() - started;
      expect(first).toBeGreaterThanOrEqual(95);
      expect(first).toBeLessThan(200);
      expect(next).toBeLessThan(50); // not tried: far less than the 100 ms timeout, however busy the machine
      // The subscriber gets no command: its ping finds it.
      await until(() => !redis.listening, 2000);
      // The command connection's probe missed its deadline too: it is down, and reopened.
      await until(async () => (await transitions('command', 'down')) > downs, 2000);

      await proxy.restore();
      await until(() => redis.available && redis.listening, 3000);
      await expect(redis.attempt((client) => client.get('k'))).resolves.toBe('v');
    });

    it('fails at once while Redis refuses connections, and recovers by itself', async () => {
      await proxy.cut();
      await until(() => !redis.available);
      const started = Date.now();
      await expect(redis.attempt((client) => client.get('k'))).resolves.toBeUndefined();
      expect(Date.now() - started).toBeLessThan(50);
      await proxy.restore();
      await until(() => redis.available && redis.listening, 3000);
    });
  });
});
