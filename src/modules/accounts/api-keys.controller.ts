import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { AuthUser, CurrentUser } from '@/common/auth/auth-user';
import { NoStore } from '@/common/http/no-store';
import { NotIdempotent } from '@/common/idempotency/idempotency';
import { ApiPageResponse } from '@/common/openapi/page-response.decorator';
import { ApiProblems } from '@/common/openapi/problem-responses.decorator';
import { PageDto } from '@/common/pagination/page.dto';
import { PageQueryDto } from '@/common/pagination/page-query.dto';
import { IdParam } from '@/common/pipes/parse-id.pipe';

import { Audit, AuditContext } from '../audit/audit-context';
import { AccountNotFoundError, AccountRoleRequiredError, ApiKeyNotFoundError } from './accounts.errors';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyDto, ApiKeyWithSecretDto } from './dto/api-key.dto';
import { CreateApiKeyDto } from './dto/api-key-input.dto';

@ApiTags('accounts')
@NoStore()
@Controller('v1/accounts/:id/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @NotIdempotent()
  @ApiOperation({
    summary: 'Create an API key (OWNER or ADMIN)',
    description:
      'The `secret` is in this response only. Send it as `X-API-Key`; it acts for the account within its scopes.',
  })
  @ApiCreatedResponse({ type: ApiKeyWithSecretDto, description: 'The key, with its secret' })
  @ApiProblems(new AccountNotFoundError(), new AccountRoleRequiredError('manage API keys'))
  create(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Body() body: CreateApiKeyDto,
    @Audit() audit: AuditContext,
  ): Promise<ApiKeyWithSecretDto> {
    return this.keys.createKey(actor, id, body, audit);
  }

  @Get()
  @ApiOperation({ summary: "An account's live API keys, without secrets (OWNER or ADMIN)" })
  @ApiPageResponse(ApiKeyDto, 'A page of keys, newest first')
  @ApiProblems(new AccountNotFoundError(), new AccountRoleRequiredError('manage API keys'))
  list(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Query() query: PageQueryDto,
  ): Promise<PageDto<ApiKeyDto>> {
    return this.keys.listKeys(actor, id, query);
  }

  @Delete(':keyId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key at once (OWNER or ADMIN)' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiProblems(
    new AccountNotFoundError(),
    new AccountRoleRequiredError('manage API keys'),
    new ApiKeyNotFoundError(),
  )
  async revoke(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @IdParam('keyId') keyId: string,
    @Audit() audit: AuditContext,
  ): Promise<void> {
    await this.keys.revokeKey(actor, id, keyId, audit);
  }
}
