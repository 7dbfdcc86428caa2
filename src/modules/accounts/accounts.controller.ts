import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

import { AuthUser, CurrentUser } from '@/common/auth/auth-user';
import { ConditionalRead, ConditionalWrite, IfMatch, IfMatchHeader } from '@/common/http/conditional';
import { Located } from '@/common/http/location';
import { Idempotent } from '@/common/idempotency/idempotent.decorator';
import { ApiPageResponse } from '@/common/openapi/page-response.decorator';
import { ApiProblems } from '@/common/openapi/problem-responses.decorator';
import { PageDto } from '@/common/pagination/page.dto';
import { PageQueryDto } from '@/common/pagination/page-query.dto';
import { IdParam } from '@/common/pipes/parse-id.pipe';

import { Audit, AuditContext } from '../audit/audit-context';
import { UserNotFoundError } from '../users/users.errors';
import {
  AccountNotFoundError,
  AccountRoleRequiredError,
  AlreadyMemberError,
  LastOwnerError,
  MemberNotFoundError,
} from './accounts.errors';
import { AccountsService } from './accounts.service';
import { AccountDto, MemberDto } from './dto/account.dto';
import { AccountInputDto, AddMemberDto, UpdateMemberDto } from './dto/account-input.dto';

@ApiTags('accounts')
@Controller('v1/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @Located((account) => `/v1/accounts/${String(account.id)}`)
  @Idempotent()
  @ApiOperation({ summary: 'Create an account; the caller becomes its OWNER' })
  @ApiCreatedResponse({ type: AccountDto, description: 'The new account' })
  create(@CurrentUser() actor: AuthUser, @Body() body: AccountInputDto): Promise<AccountDto> {
    return this.accounts.createAccount(actor, body.name);
  }

  @Get()
  @ApiOperation({ summary: 'My accounts, with my role in each' })
  @ApiPageResponse(AccountDto, 'A page of accounts, newest first')
  list(@CurrentUser() actor: AuthUser, @Query() query: PageQueryDto): Promise<PageDto<AccountDto>> {
    return this.accounts.listAccounts(actor, query);
  }

  @Get(':id')
  @ConditionalRead({ vary: ['Authorization'] })
  @ApiOperation({ summary: 'One of my accounts (members only)' })
  @ApiOkResponse({ type: AccountDto, description: 'The account, with my role' })
  @ApiProblems(new AccountNotFoundError())
  get(@CurrentUser() actor: AuthUser, @IdParam() id: string): Promise<AccountDto> {
    return this.accounts.getAccount(actor, id);
  }

  @Patch(':id')
  @ConditionalWrite()
  @ApiOperation({ summary: 'Rename an account (OWNER)' })
  @ApiOkResponse({ type: AccountDto, description: 'The renamed account' })
  @ApiProblems(new AccountNotFoundError(), new AccountRoleRequiredError('change the account'))
  update(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Body() body: AccountInputDto,
    @IfMatchHeader() ifMatch?: IfMatch,
  ): Promise<AccountDto> {
    return this.accounts.renameAccount(actor, id, body.name, ifMatch);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an account with its memberships and keys (OWNER); posts stay' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(new AccountNotFoundError(), new AccountRoleRequiredError('delete the account'))
  async delete(@CurrentUser() actor: AuthUser, @IdParam() id: string): Promise<void> {
    await this.accounts.deleteAccount(actor, id);
  }

  @Get(':id/members')
  @ApiOperation({ summary: 'Members of an account (members only)' })
  @ApiPageResponse(MemberDto, 'A page of members')
  @ApiProblems(new AccountNotFoundError())
  listMembers(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Query() query: PageQueryDto,
  ): Promise<PageDto<MemberDto>> {
    return this.accounts.listMembers(actor, id, query);
  }

  @Post(':id/members')
  @Idempotent()
  @ApiOperation({
    summary: 'Add a member',
    description: 'OWNERs add any role; ADMINs add MEMBERs.',
  })
  @ApiCreatedResponse({ type: MemberDto, description: 'The new member' })
  @ApiProblems(
    new AccountNotFoundError(),
    new AccountRoleRequiredError('manage ADMIN members'),
    new UserNotFoundError(),
    new AlreadyMemberError(),
  )
  addMember(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Body() body: AddMemberDto,
    @Audit() audit: AuditContext,
  ): Promise<MemberDto> {
    return this.accounts.addMember(actor, id, body.userId, body.role, audit);
  }

  @Patch(':id/members/:userId')
  @ApiOperation({
    summary: "Change a member's role",
    description:
      'OWNERs change any role; ADMINs only among MEMBERs. The last OWNER cannot be demoted (409 `LAST_OWNER`).',
  })
  @ApiOkResponse({ type: MemberDto, description: 'The member with the new role' })
  @ApiProblems(
    new AccountNotFoundError(),
    new AccountRoleRequiredError('manage ADMIN members'),
    new MemberNotFoundError(),
    new LastOwnerError(),
  )
  updateMember(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @IdParam('userId') userId: string,
    @Body() body: UpdateMemberDto,
    @Audit() audit: AuditContext,
  ): Promise<MemberDto> {
    return this.accounts.changeMemberRole(actor, id, userId, body.role, audit);
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove a member, or leave',
    description:
      'OWNERs remove anyone; ADMINs remove MEMBERs; anyone may remove themselves. The last OWNER cannot leave (409 `LAST_OWNER`).',
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblems(
    new AccountNotFoundError(),
    new AccountRoleRequiredError('manage ADMIN members'),
    new MemberNotFoundError(),
    new LastOwnerError(),
  )
  async removeMember(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @IdParam('userId') userId: string,
    @Audit() audit: AuditContext,
  ): Promise<void> {
    await this.accounts.removeMember(actor, id, userId, audit);
  }
}
