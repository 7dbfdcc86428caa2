import { Injectable } from '@nestjs/common';

import type { AuthUser } from '@/common/auth/auth-user';
import { CursorCodec, Keyset } from '@/common/pagination/cursor-codec';
import type { PageDto } from '@/common/pagination/page.dto';
import type { PageQueryDto } from '@/common/pagination/page-query.dto';
import { Clock } from '@/common/time/clock';
import { Transactions } from '@/database/transactions';
import { JobsService } from '@/jobs/jobs.service';

import { requireAccountManager } from '../accounts/account-access';
import { AccountsRepository } from '../accounts/accounts.repository';
import { AuditAction, AuditTargetType } from '../audit/audit-actions';
import type { AuditContext } from '../audit/audit-context';
import { AuditEntry, AuditLog, AuditMetadata } from '../audit/audit-log';
import type {
  WebhookDeliveryDto,
  WebhookDto,
  WebhookSecretDto,
  WebhookWithSecretDto,
} from './dto/webhook.dto';
import type { CreateWebhookDto, UpdateWebhookDto } from './dto/webhook-input.dto';
import { WEBHOOK_TEST_EVENT } from './webhook-event-types';
import { WEBHOOK_DELIVERY_QUEUE, WebhookEvents } from './webhook-events';
import { newSigningSecret, WebhookSecretBox } from './webhook-secrets';
import { WebhookTargets } from './webhook-targets';
import { WebhookDeliveryNotFoundError, WebhookDisabledError, WebhookNotFoundError } from './webhooks.errors';
import { toWebhookDeliveryDto, toWebhookDto } from './webhooks.mapper';
import { DeliveryRecord, EndpointRecord, WebhooksRepository } from './webhooks.repository';

const WEBHOOKS = Keyset.byId<EndpointRecord>('webhooks:newest', (endpoint) => endpoint.id);
const DELIVERIES = Keyset.byId<DeliveryRecord>('webhook-deliveries:newest', (delivery) => delivery.id);
/** After a rotation the previous secret signs too, for this long, while receivers switch. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;
const MANAGE = 'manage webhooks';

/**
 * An account's webhook endpoints and their deliveries: OWNERs and ADMINs only (a MEMBER gets 403,
 * anyone else 404). A secret is shown when made (creation, rotation) and never again.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly transactions: Transactions,
    private readonly webhooks: WebhooksRepository,
    private readonly accounts: AccountsRepository,
    private readonly targets: WebhookTargets,
    private readonly secrets: WebhookSecretBox,
    private readonly events: WebhookEvents,
    private readonly jobs: JobsService,
    private readonly cursors: CursorCodec,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async createWebhook(
    actor: AuthUser,
    accountId: string,
    input: CreateWebhookDto,
    audit: AuditContext,
  ): Promise<WebhookWithSecretDto> {
    await requireAccountManager(this.accounts, actor, accountId, MANAGE);
    await this.targets.assertAllowed(input.url);
    const secret = newSigningSecret();
    const endpoint = await this.transactions.run(async (tx) => {
      const created = await this.webhooks.create(tx, accountId, {
        url: input.url,
        events: input.events,
        description: input.description,
        secret: this.secrets.seal(secret),
      });
      await this.audit.record(tx, audit, webhookEvent(AuditAction.WebhookCreated, created));
      return created;
    });
    return { ...toWebhookDto(endpoint), secret };
  }

  async listWebhooks(actor: AuthUser, accountId: string, page: PageQueryDto): Promise<PageDto<WebhookDto>> {
    await requireAccountManager(this.accounts, actor, accountId, MANAGE);
    return this.cursors.page(
      WEBHOOKS,
      page,
      (after) => this.webhooks.list(accountId, page.limit, after),
      toWebhookDto,
    );
  }

  async getWebhook(actor: AuthUser, accountId: string, webhookId: string): Promise<WebhookDto> {
    return toWebhookDto(await this.findManaged(actor, accountId, webhookId));
  }

  async updateWebhook(
    actor: AuthUser,
    accountId: string,
    webhookId: string,
    input: UpdateWebhookDto,
    audit: AuditContext,
  ): Promise<WebhookDto> {
    await this.findManaged(actor, accountId, webhookId);
    if (input.url !== undefined) {
      await this.targets.assertAllowed(input.url);
    }
    const changed = Object.keys(input).filter(
      (field) => input[field as keyof UpdateWebhookDto] !== undefined,
    );
    const endpoint = await this.transactions.run(async (tx) => {
      const updated = await this.webhooks.update(tx, accountId, webhookId, input);
      if (!updated) {
        throw new WebhookNotFoundError();
      }
      await this.audit.record(
        tx,
        audit,
        webhookEvent(AuditAction.WebhookChanged, updated, { enabled: updated.enabled, changed }),
      );
      return updated;
    });
    return toWebhookDto(endpoint);
  }

  async deleteWebhook(
    actor: AuthUser,
    accountId: string,
    webhookId: string,
    audit: AuditContext,
  ): Promise<void> {
    await requireAccountManager(this.accounts, actor, accountId, MANAGE);
    await this.transactions.run(async (tx) => {
      const deleted = await this.webhooks.delete(tx, accountId, webhookId);
      if (!deleted) {
        throw new WebhookNotFoundError();
      }
      await this.audit.record(tx, audit, webhookEvent(AuditAction.WebhookDeleted, deleted));
    });
  }

  /** A new secret; the one it replaces keeps signing for ROTATION_OVERLAP_MS. */
  async rotateSecret(actor: AuthUser, accountId: string, webhookId: string): Promise<WebhookSecretDto> {
    await requireAccountManager(this.accounts, actor, accountId, MANAGE);
    const secret = newSigningSecret();
    const previousSecretExpiresAt = new Date(this.clock.now().getTime() + ROTATION_OVERLAP_MS);
    const endpoint = await this.webhooks.rotateSecret(
      accountId,
      webhookId,
      this.secrets.seal(secret),
      previousSecretExpiresAt,
    );
    if (!endpoint) {
      throw new WebhookNotFoundError();
    }
    return { secret, previousSecretExpiresAt };
  }

  /** Sends a `webhook.test` event to this endpoint alone (a disabled one too); its delivery. */
  async sendTest(actor: AuthUser, accountId: string, webhookId: string): Promise<WebhookDeliveryDto> {
    await this.findManaged(actor, accountId, webhookId);
    const [deliveryId] = await this.transactions.run((tx) =>
      this.events.write(tx, accountId, WEBHOOK_TEST_EVENT, { webhookId }, [webhookId]),
    );
    return this.deliveryOf(webhookId, deliveryId);
  }

  async listDeliveries(
    actor: AuthUser,
    accountId: string,
    webhookId: string,
    page: PageQueryDto,
  ): Promise<PageDto<WebhookDeliveryDto>> {
    const after = this.cursors.after(DELIVERIES, page.cursor);
    await this.findManaged(actor, accountId, webhookId);
    const rows = await this.webhooks.listDeliveries(webhookId, page.limit, after);
    return this.cursors.toPage(DELIVERIES, rows, page.limit, toWebhookDeliveryDto);
  }

  /** Another attempt now, whatever became of the earlier ones. */
  async retryDelivery(
    actor: AuthUser,
    accountId: string,
    webhookId: string,
    deliveryId: string,
  ): Promise<WebhookDeliveryDto> {
    const endpoint = await this.findManaged(actor, accountId, webhookId);
    const delivery = await this.webhooks.findDelivery(webhookId, deliveryId);
    if (!delivery) {
      throw new WebhookDeliveryNotFoundError();
    }
    if (!endpoint.enabled) {
      throw new WebhookDisabledError();
    }
    await this.transactions.run(async (tx) => {
      await this.webhooks.markDue(tx, deliveryId, this.clock.now());
      await this.jobs.send(
        WEBHOOK_DELIVERY_QUEUE,
        { deliveryId, attempt: delivery.attempts + 1 },
        { transaction: tx },
      );
    });
    return this.deliveryOf(webhookId, deliveryId);
  }

  private async findManaged(actor: AuthUser, accountId: string, webhookId: string): Promise<EndpointRecord> {
    await requireAccountManager(this.accounts, actor, accountId, MANAGE);
    const endpoint = await this.webhooks.find(accountId, webhookId);
    if (!endpoint) {
      throw new WebhookNotFoundError();
    }
    return endpoint;
  }

  private async deliveryOf(webhookId: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    const delivery = await this.webhooks.findDelivery(webhookId, deliveryId);
    if (!delivery) {
      throw new WebhookDeliveryNotFoundError(); // deleted with its endpoint in the meantime
    }
    return toWebhookDeliveryDto(delivery);
  }
}

/** What the audit log keeps of an endpoint: where it delivers and what, never its signing secret. */
function webhookEvent(action: AuditAction, endpoint: EndpointRecord, more: AuditMetadata = {}): AuditEntry {
  return {
    action,
    target: { type: AuditTargetType.Webhook, id: endpoint.id },
    accountId: endpoint.accountId,
    metadata: { url: auditedUrl(endpoint.url), events: endpoint.events, ...more },
  };
}

/** A query string or user info is where receivers put their tokens: the log keeps neither (it lasts a year). */
const REDACTED_QUERY = '?[redacted]';

function auditedUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}${parsed.search ? REDACTED_QUERY : ''}`;
}
