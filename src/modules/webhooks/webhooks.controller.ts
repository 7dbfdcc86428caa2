import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

import { AuthUser, CurrentUser } from '@/common/auth/auth-user';
import { Located } from '@/common/http/location';
import { NoStore } from '@/common/http/no-store';
import { NotIdempotent } from '@/common/idempotency/idempotency';
import { ApiPageResponse } from '@/common/openapi/page-response.decorator';
import { ApiProblems } from '@/common/openapi/problem-responses.decorator';
import { PageDto } from '@/common/pagination/page.dto';
import { PageQueryDto } from '@/common/pagination/page-query.dto';
import { IdParam } from '@/common/pipes/parse-id.pipe';

import { AccountNotFoundError, AccountRoleRequiredError } from '../accounts/accounts.errors';
import { Audit, AuditContext } from '../audit/audit-context';
import { WebhookDeliveryDto, WebhookDto, WebhookSecretDto, WebhookWithSecretDto } from './dto/webhook.dto';
import {
  WebhookPostDeletedEventDto,
  WebhookPostEventDto,
  WebhookTestEventDto,
} from './dto/webhook-event.dto';
import { CreateWebhookDto, UpdateWebhookDto } from './dto/webhook-input.dto';
import {
  WebhookDeliveryNotFoundError,
  WebhookDisabledError,
  WebhookNotFoundError,
  WebhookUrlRefusedError,
} from './webhooks.errors';
import { WebhooksService } from './webhooks.service';

const NOT_MANAGER = [new AccountNotFoundError(), new AccountRoleRequiredError('manage webhooks')];

@ApiTags('accounts')
@ApiExtraModels(WebhookPostEventDto, WebhookPostDeletedEventDto, WebhookTestEventDto)
@NoStore()
@Controller('v1/accounts/:id/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @NotIdempotent()
  @Located((webhook) => `/v1/accounts/${String(webhook.accountId)}/webhooks/${String(webhook.id)}`)
  @ApiOperation({
    summary: 'Register a webhook endpoint (OWNER or ADMIN)',
    description:
      'The URL must be https and resolve to public addresses. The signing `secret` is in this response only.',
  })
  @ApiCreatedResponse({ type: WebhookWithSecretDto, description: 'The endpoint, with its signing secret' })
  @ApiProblems(...NOT_MANAGER, new WebhookUrlRefusedError())
  create(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Body() body: CreateWebhookDto,
    @Audit() audit: AuditContext,
  ): Promise<WebhookWithSecretDto> {
    return this.webhooks.createWebhook(actor, id, body, audit);
  }

  @Get()
  @ApiOperation({ summary: "An account's webhook endpoints, without secrets (OWNER or ADMIN)" })
  @ApiPageResponse(WebhookDto, 'A page of endpoints, newest first')
  @ApiProblems(...NOT_MANAGER)
  list(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Query() query: PageQueryDto,
  ): Promise<PageDto<WebhookDto>> {
    return this.webhooks.listWebhooks(actor, id, query);
  }

  @Get(':webhookId')
  @ApiOperation({ summary: 'One webhook endpoint (OWNER or ADMIN)' })
  @ApiOkResponse({ type: WebhookDto, description: 'The endpoint' })
  @ApiProblems(...NOT_MANAGER, new WebhookNotFoundError())
  get(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @IdParam('webhookId') webhookId: string,
  ): Promise<WebhookDto> {
    return this.webhooks.getWebhook(actor, id, webhookId);
  }

  @Patch(':webhookId')
  @ApiOperation({
    summary: 'Change a webhook endpoint (OWNER or ADMIN)',
    description: '`enabled: true` re-enables an endpoint the service disabled.',
  })
  @ApiOkResponse({ type: WebhookDto, description: 'The changed endpoint' })
  @ApiProblems(...NOT_MANAGER, new WebhookNotFoundError(), new WebhookUrlRefusedError())
  update(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @IdParam('webhookId') webhookId: string,
    @Body() body: UpdateWebhookDto,
    @Audit() audit: AuditContext,
  ): Promise<WebhookDto> {
    return this.webhooks.updateWebhook(actor, id, webhookId, body, audit);
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook endpoint and its deliveries (OWNER or ADMIN)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(...NOT_MANAGER, new WebhookNotFoundError())
  async delete(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @IdParam('webhookId') webhookId: string,
    @Audit() audit: AuditContext,
  ): Promise<void> {
    await this.webhooks.deleteWebhook(actor, id, webhookId, audit);
  }

  @Post(':webhookId/rotate-secret')
  @HttpCode(200)
  @NotIdempotent()
  @ApiOperation({
    summary: 'Rotate the signing secret (OWNER or ADMIN)',
    description:
      'The new secret is in this response only. For 24 hours deliveries carry two signatures, with the new ' +
      'and the previous secret, so receivers can switch without losing a delivery.',
  })
  @ApiOkResponse({ type: WebhookSecretDto, description: 'The new secret' })
  @ApiProblems(...NOT_MANAGER, new WebhookNotFoundError())
  rotateSecret(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @IdParam('webhookId') webhookId: string,
  ): Promise<WebhookSecretDto> {
    return this.webhooks.rotateSecret(actor, id, webhookId);
  }

  @Post(':webhookId/test')
  @HttpCode(202)
  @NotIdempotent()
  @ApiOperation({
    summary: 'Send a webhook.test event to this endpoint (OWNER or ADMIN)',
    description: 'Delivered like any event (also to a disabled endpoint); follow it in the deliveries log.',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto, description: 'The delivery, pending' })
  @ApiProblems(...NOT_MANAGER, new WebhookNotFoundError())
  test(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @IdParam('webhookId') webhookId: string,
  ): Promise<WebhookDeliveryDto> {
    return this.webhooks.sendTest(actor, id, webhookId);
  }

  @Get(':webhookId/deliveries')
  @ApiOperation({ summary: "A webhook endpoint's deliveries, newest first (OWNER or ADMIN)" })
  @ApiPageResponse(WebhookDeliveryDto, 'A page of deliveries, newest first')
  @ApiProblems(...NOT_MANAGER, new WebhookNotFoundError())
  listDeliveries(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @IdParam('webhookId') webhookId: string,
    @Query() query: PageQueryDto,
  ): Promise<PageDto<WebhookDeliveryDto>> {
    return this.webhooks.listDeliveries(actor, id, webhookId, query);
  }

  @Post(':webhookId/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @NotIdempotent()
  @ApiOperation({
    summary: 'Attempt a delivery again now (OWNER or ADMIN)',
    description: 'One more attempt, whatever became of the earlier ones; the endpoint must be enabled.',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto, description: 'The delivery, pending' })
  @ApiProblems(
    ...NOT_MANAGER,
    new WebhookNotFoundError(),
    new WebhookDeliveryNotFoundError(),
    new WebhookDisabledError(),
  )
  retry(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @IdParam('webhookId') webhookId: string,
    @IdParam('deliveryId') deliveryId: string,
  ): Promise<WebhookDeliveryDto> {
    return this.webhooks.retryDelivery(actor, id, webhookId, deliveryId);
  }
}
