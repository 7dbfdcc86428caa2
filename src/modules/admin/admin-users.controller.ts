import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { AuthUser, CurrentUser } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import { Roles } from '@/common/auth/roles.decorator';
import { NotIdempotent } from '@/common/idempotency/idempotency';
import { ApiProblems } from '@/common/openapi/problem-responses.decorator';
import { IdParam } from '@/common/pipes/parse-id.pipe';

import { Audit, AuditContext } from '../audit/audit-context';
import { UserNotFoundError } from '../users/users.errors';
import { SuspendUserDto } from './dto/suspension-input.dto';
import { CannotSuspendSelfError, SuspensionsService } from './suspensions.service';

@ApiTags('admin')
// Both are idempotent by nature: a second suspension (or lifting) changes nothing.
@NotIdempotent()
@Controller('v1/admin/users')
export class AdminUsersController {
  constructor(private readonly suspensions: SuspensionsService) {}

  @Post(':id/suspend')
  @HttpCode(204)
  @Roles(UserRole.Admin)
  @ApiOperation({
    summary: 'Suspend a user (admin)',
    description:
      'Revokes every session of the user (their tokens and sockets stop working), refuses their logins ' +
      'with 403 ACCOUNT_SUSPENDED, and withholds their posts from everyone else (404, out of every list) ' +
      'until the suspension is lifted. Suspending a suspended user changes nothing.',
    operationId: 'admin_users_suspend',
  })
  @ApiNoContentResponse({ description: 'Suspended' })
  @ApiProblems(new UserNotFoundError(), new CannotSuspendSelfError())
  async suspend(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Body() body: SuspendUserDto,
    @Audit() audit: AuditContext,
  ): Promise<void> {
    await this.suspensions.suspend(actor, id, body.reason, audit);
  }

  @Post(':id/unsuspend')
  @HttpCode(204)
  @Roles(UserRole.Admin)
  @ApiOperation({
    summary: "Lift a user's suspension (admin)",
    description:
      'They can log in again and their posts are shown again. A user who is not suspended is left as is.',
    operationId: 'admin_users_unsuspend',
  })
  @ApiNoContentResponse({ description: 'No longer suspended' })
  @ApiProblems(new UserNotFoundError())
  async unsuspend(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Audit() audit: AuditContext,
  ): Promise<void> {
    await this.suspensions.unsuspend(actor, id, audit);
  }
}
