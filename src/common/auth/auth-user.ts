import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import type { UserRole } from './roles';

/** A person, signed in with a bearer token of one of their sessions. */
export interface SessionCaller {
  kind: 'user';
  id: string;
  role: UserRole;
  sessionId: string;
}

/**
 * An integrator, signed in with an API key of an account. It acts for the account, within the key's
 * scopes; `id` is the user who created the key, who is named as the author of what it publishes.
 */
export interface ApiKeyCaller {
  kind: 'api-key';
  id: string;
  role: UserRole;
  keyId: string;
  accountId: string;
  scopes: string[];
}

/** Who is calling: set on the request by the authentication guard, checked against the database. */
export type AuthUser = SessionCaller | ApiKeyCaller;

export type AuthenticatedRequest = FastifyRequest & { user?: AuthUser };

/** The authenticated caller (guarded routes), or undefined on a public route called anonymously. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthUser | undefined =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().user,
);
