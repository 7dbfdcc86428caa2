import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { UserRole } from './roles';

/** Who is calling: set on the request by the authentication guard, checked against the database. */
export interface AuthUser {
  id: string;
  role: UserRole;
  sessionId: string;
}

export type AuthenticatedRequest = FastifyRequest & { user?: AuthUser };

/** The authenticated caller (guarded routes), or undefined on a public route called anonymously. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthUser | undefined =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().user,
);
