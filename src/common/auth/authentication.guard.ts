import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';

import { DomainError } from '../errors/domain-error';
import { API_KEY_SCOPES } from './api-key-scopes.decorator';
import {
  ApiKeyInQueryError,
  ApiKeyNotAcceptedError,
  InsufficientScopeError,
  InvalidAccessTokenError,
  InvalidApiKeyError,
} from './auth.errors';
import type { AuthenticatedRequest, AuthUser } from './auth-user';
import { IGNORES_CREDENTIALS, IS_PUBLIC } from './public.decorator';

/** The header of an integrator's API key (`X-API-Key`), as Node lowercases it. */
export const API_KEY_HEADER = 'x-api-key';

// Query parameters that look like an API key: refused so keys never sit in URLs and logs.
const KEY_PARAMETER = /^(api[-_]?key|x[-_]api[-_]key|key)$/i;

/** Runs one Passport strategy and turns its failures into our errors. */
function passport(strategy: 'jwt' | 'api-key', failure: (info: unknown) => DomainError) {
  return new (class extends AuthGuard(strategy) {
    override handleRequest<T = AuthUser>(error: unknown, user: T | false, info?: unknown): T {
      if (error instanceof DomainError || (error instanceof Error && !('status' in error))) {
        throw error;
      }
      if (!user) {
        throw failure(info);
      }
      return user;
    }
  })();
}

/** passport-jwt's reason for refusing a token (jsonwebtoken's error), as our kind of failure. */
const tokenFailure = (info: unknown): InvalidAccessTokenError =>
  new InvalidAccessTokenError(
    info instanceof Error && info.name === 'TokenExpiredError' ? 'expired' : 'invalid',
  );

/**
 * Global: who is calling. A bearer token (people) or, on routes marked `@AcceptsApiKey(scope)`, an
 * `X-API-Key` (integrators) with that scope; a key on another route is refused (403). `@Public()`
 * routes take anonymous callers, yet check a credential that is sent, bearer token or API key alike
 * (a bad one is a 401; a good key needs no scope where the route asks none); `@Anonymous()` routes
 * read no credentials at all.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly bearer = passport('jwt', tokenFailure);
  private readonly apiKey = passport('api-key', () => new InvalidApiKeyError());

  constructor(private readonly reflector: Reflector) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IGNORES_CREDENTIALS, targets) === true) {
      return true;
    }
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true;
    const scopes = this.reflector.getAllAndOverride<string[] | undefined>(API_KEY_SCOPES, targets);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (Object.keys(request.query ?? {}).some((name) => KEY_PARAMETER.test(name))) {
      throw new ApiKeyInQueryError();
    }
    if (request.headers.authorization !== undefined) {
      return (await this.bearer.canActivate(context)) as boolean;
    }
    if (request.headers[API_KEY_HEADER] !== undefined) {
      if (!scopes && !isPublic) {
        throw new ApiKeyNotAcceptedError();
      }
      await this.apiKey.canActivate(context);
      const caller = request.user;
      const missing =
        caller?.kind === 'api-key' ? scopes?.find((scope) => !caller.scopes.includes(scope)) : undefined;
      if (missing) {
        throw new InsufficientScopeError(missing);
      }
      return true;
    }
    if (isPublic) {
      return true;
    }
    throw new InvalidAccessTokenError();
  }
}
