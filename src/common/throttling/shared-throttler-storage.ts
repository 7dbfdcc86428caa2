import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';

import type { RedisService } from '../redis/redis.service';
import { FixedWindowThrottlerStorage, sweepClosed, windowRecord } from './throttler-storage';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** A lease is at most this share of what is left of a window's limit... */
const LEASE_DIVISOR = 16;
/** ...and at most this many hits. */
const MAX_LEASE = 64;

/**
 * Leases hits of a window to one instance: 1/divisor of what is left of the limit, at most the most
 * hits per lease, at least one while something is left; past the limit it counts the hit and blocks
 * the key, as `FixedWindowThrottlerStorage` does in memory (docs/architecture/throttler-leases.md).
 * KEYS: hits, blocked. ARGV: ttl, limit, block duration (ms), divisor, most hits per lease.
 * Answers { hits granted, hits of the window before them, ms left of the window, ms left of the block }.
 */
const LEASE_SCRIPT = `
local blockLeft = redis.call('PTTL', KEYS[2])
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
local windowLeft = redis.call('PTTL', KEYS[1])
if blockLeft > 0 then
  return { 0, hits, windowLeft, blockLeft }
end
local ttl, limit, blockDuration = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if windowLeft <= 0 then
  hits = 0
  windowLeft = ttl
  redis.call('SET', KEYS[1], 0, 'PX', ttl)
end
local left = limit - hits
if left <= 0 then
  redis.call('INCR', KEYS[1])
  redis.call('SET', KEYS[2], 1, 'PX', blockDuration)
  return { 0, hits + 1, windowLeft, blockDuration }
end
local grant = math.min(tonumber(ARGV[5]), math.max(1, math.floor(left / tonumber(ARGV[4]))))
redis.call('INCRBY', KEYS[1], grant)
return { grant, hits, windowLeft, 0 }
`;

type LeaseReply = [granted: number, before: number, windowLeftMs: number, blockLeftMs: number];

interface LeasingClient extends Redis {
  throttlerLease(
    hitsKey: string,
    blockedKey: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    divisor: number,
    maxLease: number,
  ): Promise<LeaseReply>;
}

/** The hits of a window this instance took from Redis, and how many of them it used. */
interface Lease {
  /** The window's hits (every instance's) before this lease. */
  before: number;
  granted: number;
  used: number;
  /** When the window closes (epoch ms). */
  endsAt: number;
  /** Until when the key is refused (epoch ms; 0: not blocked). */
  blockedUntil: number;
}

/**
 * The throttler's counts in Redis, one window for every instance: an instance takes hits in leases and
 * counts them in memory, so a request rarely waits on Redis; while Redis is down, this process's fixed
 * windows count instead (docs/architecture/throttler-leases.md).
 */
export class SharedThrottlerStorage implements ThrottlerStorage {
  private readonly leases = new Map<string, Lease>();
  /** The lease being asked for, per key: concurrent requests of one client ask Redis once. */
  private readonly asking = new Map<string, Promise<Lease | undefined>>();
  private readonly local = new FixedWindowThrottlerStorage();
  private nextSweepAt = 0;

  constructor(
    private readonly redis: RedisService,
    private readonly sweepIntervalMs = 60_000,
  ) {
    // EVALSHA with the script's digest, the whole script only once per connection.
    redis.client.defineCommand('throttlerLease', { numberOfKeys: 2, lua: LEASE_SCRIPT });
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const id = `{${key}:${throttlerName}}`;
    for (;;) {
      const now = Date.now();
      this.sweep(now);
      const lease = this.leases.get(id);
      if (lease && lease.blockedUntil > now) {
        return windowRecord(lease.before, lease.endsAt, lease.blockedUntil, now);
      }
      if (lease && lease.endsAt > now && lease.used < lease.granted) {
        lease.used += 1;
        return windowRecord(lease.before + lease.used, lease.endsAt, 0, now);
      }
      const fresh = await this.lease(id, ttl, limit, blockDuration);
      if (!fresh) {
        return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
      }
      if (fresh.granted === 0) {
        // Past the limit, and the block (of a few ms at most) already over.
        return { ...windowRecord(fresh.before, fresh.endsAt, 0, Date.now()), isBlocked: true };
      }
      // Concurrent requests share the lease; one that finds it used up asks again.
    }
  }

  /** How many keys hold a lease (for tests). */
  get size(): number {
    return this.leases.size;
  }

  private lease(id: string, ttl: number, limit: number, blockDuration: number): Promise<Lease | undefined> {
    let asking = this.asking.get(id);
    if (!asking) {
      asking = this.redis
        .attempt(async (client) => {
          const [granted, before, windowLeft, blockLeft] = await (client as LeasingClient).throttlerLease(
            `${id}:hits`,
            `${id}:blocked`,
            ttl,
            limit,
            blockDuration,
            LEASE_DIVISOR,
            MAX_LEASE,
          );
          const now = Date.now();
          const lease: Lease = {
            before,
            granted,
            used: 0,
            endsAt: now + windowLeft,
            blockedUntil: blockLeft > 0 ? now + blockLeft : 0,
          };
          this.leases.set(id, lease);
          return lease;
        })
        .finally(() => this.asking.delete(id));
      this.asking.set(id, asking);
    }
    return asking;
  }

  private sweep(now: number): void {
    this.nextSweepAt = sweepClosed(this.leases, now, this.nextSweepAt, this.sweepIntervalMs);
  }
}
