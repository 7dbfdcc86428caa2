import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

import { AuthUser, CurrentUser } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import { Roles } from '@/common/auth/roles.decorator';
import { ApiPageResponse } from '@/common/openapi/page-response.decorator';
import { ApiProblems } from '@/common/openapi/problem-responses.decorator';
import type { PageDto } from '@/common/pagination/page.dto';
import { IdParam } from '@/common/pipes/parse-id.pipe';

import { AccountNotFoundError, AccountRoleRequiredError } from '../accounts/accounts.errors';
import { AuditService } from './audit.service';
import { AuditEventDto } from './dto/audit-event.dto';
import { AccountAuditQueryDto, AuditQueryDto } from './dto/audit-query.dto';

@ApiTags('admin')
@Controller('v1/admin/audit-events')
export class AdminAuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles(UserRole.Admin)
  @ApiOperation({
    summary: 'The audit log (admin)',
    description:
      'Every recorded action, newest first; the filters combine (AND). `from` is inclusive, `to` exclusive.',
    operationId: 'admin_audit_events_list',
  })
  @ApiPageResponse(AuditEventDto, 'A page of audit events, newest first')
  list(@CurrentUser() actor: AuthUser, @Query() query: AuditQueryDto): Promise<PageDto<AuditEventDto>> {
    return this.audit.list(actor, query);
  }
}

@ApiTags('accounts')
@Controller('v1/accounts/:id/audit-events')
export class AccountAuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary: "An account's audit events (OWNER or ADMIN of the account)",
    description:
      'What was done to the account, its members, API keys, webhooks and posts, newest first. ' +
      '`from` is inclusive, `to` exclusive.',
    operationId: 'accounts_audit_events_list',
  })
  @ApiPageResponse(AuditEventDto, 'A page of the account’s audit events, newest first')
  @ApiProblems(new AccountNotFoundError(), new AccountRoleRequiredError("read the account's audit events"))
  listForAccount(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Query() query: AccountAuditQueryDto,
  ): Promise<PageDto<AuditEventDto>> {
    return this.audit.listForAccount(actor, id, query);
  }
}
