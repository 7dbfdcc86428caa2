import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { AuthenticatedRequest, AuthUser } from '../../common/auth/auth-user';
import { IS_PUBLIC } from '../../common/decorators/public.decorator';
import { DomainError } from '../../common/errors/domain-error';
import { InvalidAccessTokenError } from './auth.errors';

/**
 * Global: every route needs a valid access token unless it is `@Public()`. A public route still
 * reads a token when one is sent (to know the caller), and refuses a bad one.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext): Promise<boolean> | boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (isPublic && request.headers.authorization === undefined) {
      return true;
    }
    return super.canActivate(context) as Promise<boolean>;
  }

  override handleRequest<T = AuthUser>(error: unknown, user: T | false): T {
    if (error instanceof DomainError || (error instanceof Error && !('status' in error))) {
      throw error;
    }
    if (!user) {
      throw new InvalidAccessTokenError();
    }
    return user;
  }
}
