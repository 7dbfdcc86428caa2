import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { InvalidAccessTokenError, RoleRequiredError } from './auth.errors';
import type { AuthenticatedRequest } from './auth-user';
import type { UserRole } from './roles';
import { ROLES } from './roles.decorator';

/** `@Roles(...)`: the caller's role as it is now in the database (read with the session). */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles?.length) {
      return true;
    }
    const { user } = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!user) {
      throw new InvalidAccessTokenError();
    }
    if (!roles.includes(user.role)) {
      throw new RoleRequiredError(roles);
    }
    return true;
  }
}
