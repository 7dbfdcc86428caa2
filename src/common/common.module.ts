import { createHmac } from 'node:crypto';

import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';

import { AppConfig } from '../config/config.module';
import { SessionStateBroadcast } from './auth/session-state-broadcast';
import { SessionStateCache } from './auth/session-state-cache';
import { ProblemDetailsFilter } from './errors/problem-details.filter';
import { SafeValidationPipe, validationException } from './errors/validation';
import { Lifecycle } from './lifecycle/lifecycle';
import { CursorCodec } from './pagination/cursor-codec';
import { RedisModule } from './redis/redis.module';
import { RedisService } from './redis/redis.service';
import { ThrottlingModule } from './throttling/throttling.module';

/** Cross-cutting behaviour every feature relies on: validation, errors, throttling, cursors. */
@Global()
@Module({
  imports: [RedisModule, ThrottlingModule],
  providers: [
    {
      provide: APP_PIPE,
      useValue: new SafeValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        transform: true,
        // The value tells an absent field (`is required`) from a wrong one; it is never echoed back.
        validationError: { target: false, value: true },
        exceptionFactory: validationException,
      }),
    },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    Lifecycle,
    {
      provide: CursorCodec,
      inject: [AppConfig],
      // A key of its own, derived from the signing secret, so cursors survive restarts and scale-out.
      useFactory: (config: AppConfig) =>
        new CursorCodec(
          createHmac('sha256', config.get('JWT_SECRET', { infer: true }))
            .update('cursor')
            .digest('hex'),
        ),
    },
    {
      provide: SessionStateCache,
      inject: [AppConfig, RedisService],
      // With REDIS_URL, changes reach every instance's cache, and its realtime sockets, at once.
      useFactory: (config: AppConfig, redis: RedisService) => {
        const ttlMs = config.get('SESSION_CACHE_TTL_MS', { infer: true });
        const bus = redis.enabled ? new SessionStateBroadcast(redis, ttlMs) : undefined;
        return new SessionStateCache(ttlMs, undefined, bus);
      },
    },
  ],
  exports: [CursorCodec, SessionStateCache, Lifecycle],
})
export class CommonModule {}
