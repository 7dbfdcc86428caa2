import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { RateLimitedError } from './errors/domain-error';

const STRICT = 'rateLimit:auth';

/** Adds the stricter `auth` limit (per client IP) to a route: registration, login, refresh. */
export const AuthRateLimit = (): MethodDecorator => SetMetadata(STRICT, true);

/** The `auth` throttler applies only where `@AuthRateLimit()` asks for it. */
export function isAuthRateLimited(context: ExecutionContext): boolean {
  return Reflect.getMetadata(STRICT, context.getHandler()) === true;
}

/** The throttler, answering with our problem details and a plain `Retry-After` whichever limit hit. */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
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
