import { setTimeout as sleep } from 'node:timers/promises';

import { Logger } from '@nestjs/common';

import type { AppConfig } from '@/config/config.module';
import { strictFake } from '@test/helpers/strict-fake';
import { TcpProxy } from '@test/helpers/tcp-proxy';
import { dropKeys, inspectRedis, testRedisPrefix, testRedisUrl } from '@test/helpers/test-redis';

import { RedisService } from '../redis/redis.service';
import { UserRole } from './roles';
import { SessionStateBroadcast } from './session-state-broadcast';
import { CallerSession, SessionStateCache } from './session-state-cache';

const PREFIX = testRedisPrefix('session-state');
const TTL_MS = 60_000;

function config(url: string): AppConfig {
  const values: Record<string, unknown> = {
    REDIS_URL: url,
    REDIS_PREFIX: PREFIX,
    REDIS_COMMAND_TIMEOUT_MS: 100,
    REDIS_CONNECT_TIMEOUT_MS: 1000,
    REDIS_PING_INTERVAL_MS: 100,
  };
  return strictFake<AppConfig>({ get: (key: string) => values[key] });
}

const session = (id: string, userId = 'u1'): CallerSession => ({
  id,
  userId,
  role: UserRole.User,
  revokedAt: null,
  expiresAt: new Date(Date.now() + 3_600_000),
});

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) {
      throw new Error('condition not met in time');
    }
    await sleep(10);
  }
}

describe(SessionStateBroadcast.name, () => {
  const url = new URL(testRedisUrl());
  const proxy = new TcpProxy(url.hostname, Number(url.port || 6379));
  const services: RedisService[] = [];
  /** The instance whose Redis the test cuts, and the one that keeps it. */
  let cut: { redis: RedisService; cache: SessionStateCache };
  let kept: { redis: RedisService; cache: SessionStateCache };

  async function instance(redisUrl: string): Promise<{ redis: RedisService; cache: SessionStateCache }> {
    const redis = new RedisService(config(redisUrl));
    services.push(redis);
    const cache = new SessionStateCache(TTL_MS, undefined, new SessionStateBroadcast(redis, TTL_MS));
    await redis.onModuleInit();
    return { redis, cache };
  }

  beforeAll(async () => {
    Logger.overrideLogger(['error']); // the transitions' warnings are expected here
    await proxy.start();
    const proxied = new URL(testRedisUrl());
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    cut = await instance(proxied.toString());
    kept = await instance(testRedisUrl());
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.onApplicationShutdown()));
    await proxy.stop();
    const inspect = inspectRedis();
    await dropKeys(inspect, PREFIX);
    await inspect.quit();
  });

  it('makes every other instance forget at once, on a channel under the prefix', async () => {
    const inspect = inspectRedis();
    const channels = await inspect.pubsub('CHANNELS', `${PREFIX}*`);
    await inspect.quit();
    expect(channels).toEqual([`${PREFIX}session-state`]);

    for (const { cache } of [cut, kept]) {
      cache.remember(session('s1'), cache.epoch);
      cache.remember(session('s2', 'u2'), cache.epoch);
    }
    await cut.cache.sessionEnded('s1');
    await until(() => kept.cache.get('s1') === undefined);
    await kept.cache.userChanged('u2');
    await until(() => cut.cache.get('s2') === undefined);
    expect(kept.cache.get('s2')).toBeUndefined();
  });

  it('publishes a change made while Redis was away once it is back, for the instances that kept listening', async () => {
    kept.cache.remember(session('s3'), kept.cache.epoch);
    await proxy.cut();
    await until(() => !cut.redis.available);
    const started = Date.now();
    await cut.cache.sessionEnded('s3'); // Redis does not take it: kept for later
    expect(Date.now() - started).toBeLessThan(50);
    expect(kept.cache.get('s3')).toBeDefined();

    await proxy.restore();
    await until(() => kept.cache.get('s3') === undefined);
  });

  it('publishes a change skipped while a late reply made the connection suspect, once a ping clears it', async () => {
    kept.cache.remember(session('s5'), kept.cache.epoch);
    const late = cut.redis.attempt((client) => client.get('k'));
    const stalled = Date.now();
    while (Date.now() - stalled < 150) {
      // a synchronous stall longer than the command timeout: the reply comes late
    }
    await expect(late).resolves.toBeUndefined();
    expect(cut.redis.available).toBe(false); // suspect until its probe answers
    await cut.cache.sessionEnded('s5'); // not tried on a suspect connection: kept for later
    expect(kept.cache.get('s5')).toBeDefined();

    await until(() => cut.redis.available);
    await until(() => kept.cache.get('s5') === undefined);
  });

  it('does not use the cache while the subscription is down, and starts empty when it is back', async () => {
    cut.cache.remember(session('s4'), cut.cache.epoch);
    const load = jest.fn((id: string) => Promise.resolve(session(id)));
    await proxy.cut();
    await until(() => !cut.redis.listening);
    await cut.cache.find('s4', load);
    await cut.cache.find('s4', load);
    expect(load).toHaveBeenCalledTimes(2);

    await proxy.restore();
    await until(() => cut.redis.listening);
    expect(cut.cache.get('s4')).toBeUndefined();
  });
});
