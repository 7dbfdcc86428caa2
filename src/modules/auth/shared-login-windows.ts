import { createHash } from 'node:crypto';

import type { RedisService } from '@/common/redis/redis.service';

import { ACCOUNT_SLOT_MS, type LoginLimits, MAX_DELAY_MS } from './login-limits';

/**
 * KEYS: pair, address, account, account's next slot. ARGV: pair limit, address limit, account limit,
 * slot length, longest wait. Answers {1, ms} when refused for ms, else {0, delay in ms}. The slots
 * are on Redis' clock, so instances whose clocks differ still let one attempt through per slot.
 */
const RESERVE = `
for i = 1, 2 do
  local failures = tonumber(redis.call('GET', KEYS[i]) or '0')
  if failures >= tonumber(ARGV[i]) then
    return {1, redis.call('PTTL', KEYS[i])}
  end
end
if tonumber(redis.call('GET', KEYS[3]) or '0') < tonumber(ARGV[3]) then
  return {0, 0}
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local slot = math.max(now, tonumber(redis.call('GET', KEYS[4]) or '0'))
if slot - now > tonumber(ARGV[5]) then
  return {1, slot - now - tonumber(ARGV[5])}
end
local nextSlot = slot + tonumber(ARGV[4])
redis.call('SET', KEYS[4], nextSlot, 'PX', nextSlot - now)
return {0, slot - now}
`;

/** KEYS: the counts a failure adds to. ARGV: the window. A count's window opens at its first failure. */
const RECORD_FAILURE = `
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  if redis.call('PTTL', key) < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
  end
end
return 1
`;

/** What Redis says of an attempt: refused for a while, or let through after a delay. */
export type SharedTurn =
  { refusedForMs: number; delayMs?: undefined } | { refusedForMs?: undefined; delayMs: number };

/**
 * The failed-login counts of `LoginAttempts` in Redis, shared by every instance, each decision one atomic
 * script; every method answers undefined when Redis is down or late (docs/architecture/login-limits.md).
 */
export class SharedLoginWindows {
  constructor(
    private readonly redis: RedisService,
    private readonly limits: LoginLimits,
  ) {}

  async reserve(email: string, ip: string): Promise<SharedTurn | undefined> {
    const keys = this.keys(email, ip);
    const answer = await this.redis.attempt(
      (client) =>
        client.eval(
          RESERVE,
          4,
          keys.pair,
          keys.address,
          keys.account,
          keys.slot,
          this.limits.pair,
          this.limits.address,
          this.limits.account,
          ACCOUNT_SLOT_MS,
          MAX_DELAY_MS,
        ) as Promise<[number, number]>,
    );
    if (!answer) {
      return undefined;
    }
    const [refused, ms] = answer;
    return refused === 1 ? { refusedForMs: ms } : { delayMs: ms };
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const keys = this.keys(email, ip);
    await this.redis.attempt((client) =>
      client.eval(RECORD_FAILURE, 3, keys.pair, keys.account, keys.address, this.limits.windowMs),
    );
  }

  async recordSuccess(email: string, ip: string): Promise<void> {
    const keys = this.keys(email, ip);
    await this.redis.attempt((client) => client.del(keys.pair, keys.account, keys.slot));
  }

  private keys(email: string, ip: string): { pair: string; address: string; account: string; slot: string } {
    const account = createHash('sha256').update(email).digest('base64url');
    return {
      pair: `login:pair:${ip}:${account}`,
      address: `login:ip:${ip}`,
      account: `login:account:${account}`,
      slot: `login:slot:${account}`,
    };
  }
}
