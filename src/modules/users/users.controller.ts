import { Body, Controller, Delete, Get, HttpCode, Patch, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { AuthUser, CurrentUser } from '@/common/auth/auth-user';
import { Public } from '@/common/auth/public.decorator';
import { UserRole } from '@/common/auth/roles';
import { Roles } from '@/common/auth/roles.decorator';
import { ConditionalRead } from '@/common/http/conditional';
import { ApiPageResponse } from '@/common/openapi/page-response.decorator';
import { ApiProblems } from '@/common/openapi/problem-responses.decorator';
import { PageDto } from '@/common/pagination/page.dto';
import { IdParam } from '@/common/pipes/parse-id.pipe';

import { Audit, AuditContext } from '../audit/audit-context';
import { UserAdminDto, UserDto, UserPublicDto } from './dto/user.dto';
import { UpdateRoleDto, UpdateUserDto } from './dto/user-input.dto';
import { ListUsersQueryDto } from './dto/user-query.dto';
import { UsernameTakenError, UserNotFoundError } from './users.errors';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({ summary: 'My account, with email and profile', operationId: 'users_get_me' })
  @ApiOkResponse({ type: UserDto, description: 'My account' })
  @ApiProblems(new UserNotFoundError())
  getMe(@CurrentUser() actor: AuthUser): Promise<UserDto> {
    return this.users.getMe(actor);
  }

  @Patch('me')
  @ApiOperation({ summary: 'Change my username, name or avatar', operationId: 'users_update_me' })
  @ApiOkResponse({ type: UserDto, description: 'My changed account' })
  @ApiProblems(new UserNotFoundError(), new UsernameTakenError())
  updateMe(@CurrentUser() actor: AuthUser, @Body() body: UpdateUserDto): Promise<UserDto> {
    return this.users.updateMe(actor, body);
  }

  @Delete('me')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete my account and everything it owns',
    description: 'Removes the profile, posts, saves, chats memberships, messages and sessions of the caller.',
    operationId: 'users_delete_me',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(new UserNotFoundError())
  async deleteMe(@CurrentUser() actor: AuthUser): Promise<void> {
    await this.users.deleteMe(actor);
  }

  @Get()
  @Roles(UserRole.Admin)
  @ApiOperation({ summary: 'Search and list users (admin)', operationId: 'users_list' })
  @ApiPageResponse(UserAdminDto, 'A page of users, newest first')
  list(@CurrentUser() actor: AuthUser, @Query() query: ListUsersQueryDto): Promise<PageDto<UserAdminDto>> {
    return this.users.listUsers(actor, query);
  }

  @Get(':id')
  @Public()
  @ConditionalRead()
  @ApiOperation({ summary: "A user's public view", operationId: 'users_get' })
  @ApiOkResponse({ type: UserPublicDto, description: 'The user' })
  @ApiProblems(new UserNotFoundError())
  get(@IdParam() id: string): Promise<UserPublicDto> {
    return this.users.getPublicUser(id);
  }

  @Patch(':id/role')
  @Roles(UserRole.Admin)
  @ApiOperation({ summary: "Change a user's platform role (admin)", operationId: 'users_update_role' })
  @ApiOkResponse({ type: UserAdminDto, description: 'The user with the new role' })
  @ApiProblems(new UserNotFoundError())
  changeRole(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Body() body: UpdateRoleDto,
    @Audit() audit: AuditContext,
  ): Promise<UserAdminDto> {
    return this.users.changeRole(actor, id, body.role, audit);
  }
}
