import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../openapi/problem-responses.decorator';
import { UserRole } from './roles';

export const ROLES = 'roles';

/** Restricts a route to platform roles; documented as `x-required-role` under the `admin` tag. */
export const Roles = (...roles: UserRole[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ROLES, roles),
    ApiExtension('x-required-role', roles.join(',')),
    ...(roles.includes(UserRole.Admin) ? [ApiTags('admin')] : []),
    ApiProblems(403),
  );
