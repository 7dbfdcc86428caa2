import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RedisService } from '../redis/redis.service';
import { FixedWindowThrottlerStorage } from './throttler-storage';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The throttler's counts in Redis, one window for every instance, while Redis is up; in this
 * process's fixed windows while it is down, and for a request whose Redis command failed. So a limit
 * is per instance during an outage (N instances let N times the limit through) and never waits on
 * Redis longer than the command timeout. The windows counted in memory during an outage are not
 * carried into Redis when it is back: the shared count starts over from what Redis kept.
 */
export class SharedThrottlerStorage implements ThrottlerStorage {
  private readonly shared: ThrottlerStorageRedisService;
  private readonly local = new FixedWindowThrottlerStorage();

  constructor(private readonly redis: RedisService) {
    // The package's EVAL names its keys, so the client's REDIS_PREFIX applies to them.
    this.shared = new ThrottlerStorageRedisService(redis.client);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const shared = await this.redis.attempt(() =>
      this.shared.increment(key, ttl, limit, blockDuration, throttlerName),
    );
    return shared ?? this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }
}
