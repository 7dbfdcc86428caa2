import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';

import type { AppConfig } from '@/config/config.module';
import { strictFake } from '@test/helpers/strict-fake';
import { dropKeys, inspectRedis, testRedisPrefix, testRedisUrl } from '@test/helpers/test-redis';

import { RedisService } from '../redis/redis.service';
import { SharedThrottlerStorage } from './shared-throttler-storage';

const PREFIX = testRedisPrefix('throttler-storage');
const MINUTE = 60_000;

function instance(url = testRedisUrl()): RedisService {
  const values: Record<string, unknown> = {
    REDIS_URL: url,
    REDIS_PREFIX: PREFIX,
    REDIS_COMMAND_TIMEOUT_MS: 100,
    REDIS_CONNECT_TIMEOUT_MS: 1000,
    REDIS_PING_INTERVAL_MS: 1000,
  };
  return new RedisService(strictFake<AppConfig>({ get: (key: string) => values[key] }));
}

/** Hits `key` `count` times through `storages` in turn; the totals of those that passed. */
async function hit(storages: SharedThrottlerStorage[], key: string, count: number, limit: number) {
  const passed: number[] = [];
  for (let request = 0; request < count; request += 1) {
    const record = await storages[request % storages.length].increment(key, MINUTE, limit, MINUTE, 'default');
    if (!record.isBlocked) {
      passed.push(record.totalHits);
    }
  }
  return passed;
}

describe(SharedThrottlerStorage.name, () => {
  const services: RedisService[] = [];
  let a: SharedThrottlerStorage;
  let b: SharedThrottlerStorage;
  let inspect: Redis;
  let key = 0;
  const nextKey = () => `client-${(key += 1)}`;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    services.push(instance(), instance());
    await Promise.all(services.map((service) => service.onModuleInit()));
    [a, b] = services.map((service) => new SharedThrottlerStorage(service));
    inspect = inspectRedis();
  });

  afterAll(async () => {
    await dropKeys(inspect, PREFIX);
    inspect.disconnect();
    await Promise.all(services.map((service) => service.onApplicationShutdown()));
  });

  it('counts one client exactly on one instance: hits 1 to the limit pass, the next is refused', async () => {
    const client = nextKey();
    const passed = await hit([a], client, 301, 300);
    expect(passed).toEqual(Array.from({ length: 300 }, (_, index) => index + 1));
    expect(await a.increment(client, MINUTE, 300, MINUTE, 'default')).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 60,
    });
  });

  it('asks Redis once per lease, not once per request, far from the limit', async () => {
    const client = nextKey();
    await hit([a], client, 10, 100_000);
    // The first lease took 64 hits (the most), of which 10 were used.
    expect(await inspect.get(`${PREFIX}{${client}:default}:hits`)).toBe('64');
  });

  it('counts limits below 32 exactly across instances, one hit per lease', async () => {
    const client = nextKey();
    const passed = await hit([a, b], client, 12, 6);
    expect(passed).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('never lets more than the limit through across instances, and refuses at most 1/16 of it early on each', async () => {
    const client = nextKey();
    const passed = await hit([a, b], client, 400, 300);
    expect(passed.length).toBeLessThanOrEqual(300);
    expect(passed.length).toBeGreaterThanOrEqual(300 - Math.floor(300 / 16));
  });

  it('lets exactly the limit through when one client sends everything at once', async () => {
    const client = nextKey();
    const records = await Promise.all(
      Array.from({ length: 200 }, (_, request) =>
        [a, b][request % 2].increment(client, MINUTE, 50, MINUTE, 'default'),
      ),
    );
    expect(records.filter((record) => !record.isBlocked)).toHaveLength(50);
  });

  it('keeps throttlers and clients apart', async () => {
    const client = nextKey();
    await hit([a], client, 2, 1);
    expect(await a.increment(client, MINUTE, 1, MINUTE, 'auth')).toMatchObject({ isBlocked: false });
    expect(await a.increment(nextKey(), MINUTE, 1, MINUTE, 'default')).toMatchObject({ isBlocked: false });
  });

  it('counts in memory when Redis cannot be reached', async () => {
    const down = instance('redis://127.0.0.1:1');
    await down.onModuleInit();
    const storage = new SharedThrottlerStorage(down);
    expect(await hit([storage], nextKey(), 4, 3)).toEqual([1, 2, 3]);
    await down.onApplicationShutdown();
  });
});
