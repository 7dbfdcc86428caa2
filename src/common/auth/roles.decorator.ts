import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiTags } from '@nestjs/swagger';

import { UserRole } from './roles';

export const ROLES = 'roles';
export const REQUIRED_ROLE_EXTENSION = 'x-required-role';

/** Restricts a route to platform roles; documented as `x-required-role` under the `admin` tag. */
export const Roles = (...roles: UserRole[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ROLES, roles),
    ApiExtension(REQUIRED_ROLE_EXTENSION, roles.join(',')),
    ...(roles.includes(UserRole.Admin) ? [ApiTags('admin')] : []),
  );
