import { randomBytes } from 'node:crypto';

import Redis from 'ioredis';

/** The Redis of the tests: TEST_REDIS_URL, else the one CI and developers run on loopback. */
export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
}

/**
 * A REDIS_PREFIX of its own for a test file: test files run in parallel on one Redis, and pub/sub
 * channels ignore the database index.
 */
export function testRedisPrefix(name: string): string {
  return `test:${name}:${randomBytes(4).toString('hex')}:`;
}

/** A plain client on the tests' Redis, to look at what the service wrote (no prefix). */
export function inspectRedis(): Redis {
  return new Redis(testRedisUrl(), { lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** Every key under `prefix`. */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** Deletes what a test file left under its prefix. */
export async function dropKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  if (keys.length > 0) {
    await redis.del(...keys);
  }
}
