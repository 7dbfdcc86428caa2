import { setTimeout as sleep } from 'node:timers/promises';

import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';

import { RedisService } from '@/common/redis/redis.service';
import type { AppConfig } from '@/config/config.module';
import { strictFake } from '@test/helpers/strict-fake';
import { dropKeys, inspectRedis, keysUnder, testRedisPrefix, testRedisUrl } from '@test/helpers/test-redis';

import { TooManyLoginAttemptsError } from './auth.errors';
import { LoginAttempts } from './login-attempts';
import type { LoginLimits } from './login-limits';
import { SharedLoginWindows } from './shared-login-windows';

const PREFIX = testRedisPrefix('login-windows');
const limits: LoginLimits = { pair: 2, account: 4, address: 6, windowMs: 60_000 };

function settings(overrides: Record<string, unknown> = {}): AppConfig {
  const values: Record<string, unknown> = {
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: PREFIX,
    REDIS_COMMAND_TIMEOUT_MS: 100,
    REDIS_CONNECT_TIMEOUT_MS: 1000,
    REDIS_PING_INTERVAL_MS: 1000,
    LOGIN_FAILURE_LIMIT: limits.pair,
    LOGIN_ACCOUNT_FAILURE_LIMIT: limits.account,
    LOGIN_ADDRESS_FAILURE_LIMIT: limits.address,
    LOGIN_FAILURE_WINDOW_MS: limits.windowMs,
    ...overrides,
  };
  return strictFake<AppConfig>({ get: (key: string) => values[key] });
}

/** Two instances' connections to one Redis. */
const services: RedisService[] = [];
async function connect(config = settings()): Promise<RedisService> {
  const service = new RedisService(config);
  services.push(service);
  await service.onModuleInit();
  return service;
}

let inspect: Redis;
let one: SharedLoginWindows;
let two: SharedLoginWindows;
let run = 0;
/** An email of its own per test: they share the prefix. */
const email = (name: string) => `${name}-${run}@example.com`;

beforeAll(async () => {
  Logger.overrideLogger(['error']); // the transitions' warnings are expected here
  inspect = inspectRedis();
  one = new SharedLoginWindows(await connect(), limits);
  two = new SharedLoginWindows(await connect(), limits);
});
beforeEach(() => {
  run += 1;
});
afterAll(async () => {
  await Promise.all(services.map((service) => service.onApplicationShutdown()));
  await dropKeys(inspect, PREFIX);
  await inspect.quit();
});

describe(SharedLoginWindows.name, () => {
  it('refuses an address for an account past the pair limit on every instance, and nobody else', async () => {
    await one.recordFailure(email('a'), '192.0.2.1');
    await two.recordFailure(email('a'), '192.0.2.1');
    const refused = await one.reserve(email('a'), '192.0.2.1');
    expect(refused?.refusedForMs).toBeGreaterThan(59_000);
    expect(await two.reserve(email('a'), '192.0.2.1')).toHaveProperty('refusedForMs');
    expect(await two.reserve(email('a'), '192.0.2.2')).toEqual({ delayMs: 0 }); // the owner elsewhere
    expect(await one.reserve(email('b'), '192.0.2.1')).toEqual({ delayMs: 0 }); // another account
  });

  it('slows an account past its limit to one attempt a second, in turn across instances', async () => {
    for (const [windows, ip] of [
      [one, '192.0.2.11'],
      [two, '192.0.2.12'],
      [one, '192.0.2.13'],
      [two, '192.0.2.14'],
    ] as const) {
      await windows.recordFailure(email('a'), ip);
    }
    const delays = [];
    for (const windows of [one, two, one]) {
      delays.push((await windows.reserve(email('a'), '192.0.2.19'))?.delayMs ?? -1);
    }
    expect(delays[0]).toBe(0);
    expect(delays[1]).toBeGreaterThan(900);
    expect(delays[1]).toBeLessThanOrEqual(1000);
    expect(delays[2]).toBeGreaterThan(1900);
    expect(delays[2]).toBeLessThanOrEqual(2000);
    expect(await two.reserve(email('b'), '192.0.2.19')).toEqual({ delayMs: 0 });
  });

  it('refuses an account whose queue is over ten seconds long', async () => {
    for (let i = 0; i < 4; i += 1) {
      await one.recordFailure(email('a'), `192.0.2.${30 + i}`);
    }
    for (let i = 0; i <= 10; i += 1) {
      expect(await (i % 2 ? one : two).reserve(email('a'), '198.51.100.1')).toHaveProperty('delayMs');
    }
    const refused = await one.reserve(email('a'), '198.51.100.1');
    expect(refused?.refusedForMs).toBeGreaterThan(0);
    expect(refused?.refusedForMs).toBeLessThanOrEqual(1000);
  });

  it('refuses an address past its own, looser limit, for every account', async () => {
    for (let i = 0; i < 6; i += 1) {
      await (i % 2 ? one : two).recordFailure(email(`user${i}`), '192.0.2.77');
    }
    expect(await one.reserve(email('new'), '192.0.2.77')).toHaveProperty('refusedForMs');
    expect(await one.reserve(email('new'), '192.0.2.78')).toEqual({ delayMs: 0 });
  });

  it('clears the account, its pair and its queue on success, not the address', async () => {
    for (let i = 0; i < 4; i += 1) {
      await one.recordFailure(email('a'), '192.0.2.40');
    }
    await two.recordSuccess(email('a'), '192.0.2.40');
    expect(await one.reserve(email('a'), '192.0.2.40')).toEqual({ delayMs: 0 });
    const address = await inspect.get(`${PREFIX}login:ip:192.0.2.40`);
    expect(address).toBe('4');
  });

  it('lets the window end with its keys', async () => {
    const short = new SharedLoginWindows(services[0], { ...limits, windowMs: 200 });
    await short.recordFailure(email('a'), '192.0.2.50');
    await short.recordFailure(email('a'), '192.0.2.50');
    expect(await short.reserve(email('a'), '192.0.2.50')).toHaveProperty('refusedForMs');
    await sleep(250);
    expect(await short.reserve(email('a'), '192.0.2.50')).toEqual({ delayMs: 0 });
    expect(await inspect.exists(`${PREFIX}login:ip:192.0.2.50`)).toBe(0);
  });

  it('keeps its keys under the prefix, with a hash of the email and an expiry', async () => {
    await one.recordFailure(email('secret'), '192.0.2.60');
    const keys = await keysUnder(inspect, `${PREFIX}login:`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toContain('@example.com');
    for (const key of keys) {
      expect(await inspect.pttl(key)).toBeGreaterThan(0);
    }
  });

  it('answers nothing while Redis is unreachable, and LoginAttempts counts in memory instead', async () => {
    const away = settings({ REDIS_URL: 'redis://127.0.0.1:9', REDIS_CONNECT_TIMEOUT_MS: 100 });
    const unreachable = await connect(away);
    expect(unreachable.available).toBe(false);
    const started = Date.now();
    expect(
      await new SharedLoginWindows(unreachable, limits).reserve(email('a'), '192.0.2.70'),
    ).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(50);

    const attempts = new LoginAttempts(away, unreachable);
    await attempts.recordFailure(email('a'), '192.0.2.70');
    await attempts.recordFailure(email('a'), '192.0.2.70');
    await expect(attempts.waitForTurn(email('a'), '192.0.2.70')).rejects.toThrow(TooManyLoginAttemptsError);
  });

  it('decides by Redis through LoginAttempts while it is up', async () => {
    const attempts = [new LoginAttempts(settings(), services[0]), new LoginAttempts(settings(), services[1])];
    await attempts[0].recordFailure(email('a'), '192.0.2.80');
    await attempts[1].recordFailure(email('a'), '192.0.2.80');
    for (const instance of attempts) {
      const refusal = await instance.waitForTurn(email('a'), '192.0.2.80').catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(TooManyLoginAttemptsError);
      expect((refusal as TooManyLoginAttemptsError).retryAfterSeconds).toBe(60);
    }
  });
});
