import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';

import { AppConfig } from '@/config/config.module';

import { RedisService } from '../redis/redis.service';
import { SharedThrottlerStorage } from './shared-throttler-storage';
import { FixedWindowThrottlerStorage } from './throttler-storage';
import { AppThrottlerGuard, isAuthRateLimited, trackerOf } from './throttling';

/**
 * Rate limits on every route: the `default` limit per client (or API key), and the stricter `auth`
 * limit where `@AuthRateLimit()` asks for it. Counted in Redis, across instances, with REDIS_URL;
 * in process memory without it.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, RedisService],
      useFactory: (config: AppConfig, redis: RedisService) => ({
        getTracker: (request: Record<string, unknown>) =>
          trackerOf(request as Parameters<typeof trackerOf>[0]),
        // Per route and client, as the package's default key, without hashing it on every request.
        generateKey: (context, tracker) =>
          `${context.getClass().name}.${context.getHandler().name}:${tracker}`,
        storage: redis.enabled ? new SharedThrottlerStorage(redis) : new FixedWindowThrottlerStorage(),
        throttlers: [
          {
            name: 'default',
            limit: config.get('THROTTLE_LIMIT', { infer: true }),
            ttl: config.get('THROTTLE_TTL_MS', { infer: true }),
          },
          {
            name: 'auth',
            limit: config.get('AUTH_THROTTLE_LIMIT', { infer: true }),
            ttl: config.get('AUTH_THROTTLE_TTL_MS', { infer: true }),
            skipIf: (context) => !isAuthRateLimited(context),
          },
        ],
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: AppThrottlerGuard }],
})
export class ThrottlingModule {}
