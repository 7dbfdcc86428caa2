import { createHash } from 'node:crypto';

import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';

import { RateLimitedError } from '../errors/domain-error';

const STRICT = 'rateLimit:auth';

/** Adds the stricter `auth` limit (per client IP) to a route: registration, login, refresh. */
export const AuthRateLimit = (): MethodDecorator => SetMetadata(STRICT, true);

/** The `auth` throttler applies only where `@AuthRateLimit()` asks for it. */
export function isAuthRateLimited(context: ExecutionContext): boolean {
  return Reflect.getMetadata(STRICT, context.getHandler()) === true;
}

/**
 * Whom a limit counts: an API key's requests count against the key (wherever they come from), all
 * others against the client address. Keys are hashed: no secret is kept in the limiter's memory.
 */
export function trackerOf(request: { ip: string; headers: Record<string, unknown> }): string {
  const key = request.headers['x-api-key'];
  return typeof key === 'string' && key
    ? `key:${createHash('sha256').update(key).digest('hex')}`
    : request.ip;
}

/**
 * The package's guard, answering with our problem details and a plain `Retry-After` whichever limit
 * hit. It reads route metadata through `Reflector`; reading each route's limits once more
 * (an override of `canActivate`) measured within noise and was removed: bench/history/2026-12-01.md,
 * 13:10.
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
  ) {
    super(options, storage, reflector);
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new RateLimitedError(
      'RATE_LIMITED',
      'Too many requests: wait before trying again.',
      Math.max(1, detail.timeToBlockExpire),
    );
  }
}
