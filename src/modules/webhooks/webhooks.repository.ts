import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';

import { classifyPrismaError } from '@/database/prisma-errors';
import { SqlClient } from '@/database/sql-client';
import type { Transaction } from '@/database/sql-executor';

import type { DeliveryStatus } from './webhook-event-types';

const ENDPOINT_SELECT = {
  id: true,
  accountId: true,
  url: true,
  events: true,
  description: true,
  enabled: true,
  disabledReason: true,
  previousSecretExpiresAt: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.WebhookEndpointSelect;

const DELIVERY_SELECT = {
  id: true,
  eventId: true,
  status: true,
  attempts: true,
  lastAttemptAt: true,
  nextAttemptAt: true,
  responseStatus: true,
  responseBody: true,
  error: true,
  createdAt: true,
  event: { select: { type: true } },
} satisfies Prisma.WebhookDeliverySelect;

export type EndpointRecord = Prisma.WebhookEndpointGetPayload<{ select: typeof ENDPOINT_SELECT }>;
export type DeliveryRecord = Prisma.WebhookDeliveryGetPayload<{ select: typeof DELIVERY_SELECT }>;

export interface NewEndpoint {
  url: string;
  events: string[];
  description?: string;
  /** Sealed (WebhookSecretBox). */
  secret: string;
}

export interface EndpointChanges {
  url?: string;
  events?: string[];
  description?: string;
  enabled?: boolean;
}

/** The delivered body, as JSON. */
export type EventPayload = Prisma.InputJsonObject;

export interface NewEvent {
  id: string;
  accountId: string;
  type: string;
  payload: EventPayload;
  createdAt: Date;
}

/** What an attempt needs: the delivery, its endpoint with the sealed secrets, and the event's body. */
export interface AttemptRecord {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  /** `body`: the payload as stored, the exact bytes every attempt sends and signs. */
  event: { id: string; type: string; body: string };
  endpoint: {
    id: string;
    url: string;
    enabled: boolean;
    secret: string;
    previousSecret: string | null;
    previousSecretExpiresAt: Date | null;
    failingSince: Date | null;
  };
}

interface AttemptRow {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  event_id: string;
  event_type: string;
  body: string;
  endpoint_id: string;
  url: string;
  enabled: boolean;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
}

/** The outcome of an attempt, as the deliveries log keeps it. */
export interface AttemptFields {
  status: DeliveryStatus;
  lastAttemptAt: Date;
  nextAttemptAt: Date | null;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
}

@Injectable()
export class WebhooksRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
  ) {}

  /** Creates an endpoint, in `tx`. */
  create(tx: Transaction, accountId: string, endpoint: NewEndpoint): Promise<EndpointRecord> {
    return tx.webhookEndpoint.create({ data: { ...endpoint, accountId }, select: ENDPOINT_SELECT });
  }

  /** A page of an account's endpoints, newest first; `limit + 1` rows. */
  list(accountId: string, limit: number, afterId?: string): Promise<EndpointRecord[]> {
    return this.prisma.webhookEndpoint.findMany({
      where: { accountId, ...(afterId ? { id: { lt: afterId } } : {}) },
      orderBy: { id: 'desc' },
      take: limit + 1,
      select: ENDPOINT_SELECT,
    });
  }

  find(accountId: string, webhookId: string): Promise<EndpointRecord | null> {
    return this.prisma.webhookEndpoint.findFirst({
      where: { id: webhookId, accountId },
      select: ENDPOINT_SELECT,
    });
  }

  /**
   * Applies changes, in `tx`; re-enabling forgets why it was disabled and how long it had been failing.
   * The endpoint as changed; null when absent.
   */
  async update(
    tx: Transaction,
    accountId: string,
    webhookId: string,
    changes: EndpointChanges,
  ): Promise<EndpointRecord | null> {
    const reset = changes.enabled === undefined ? {} : { disabledReason: null, failingSince: null };
    const [changed] = await tx.webhookEndpoint.updateManyAndReturn({
      where: { id: webhookId, accountId },
      data: { ...changes, ...reset },
      select: ENDPOINT_SELECT,
    });
    return changed ?? null;
  }

  /** Deletes an endpoint with its deliveries (cascade), in `tx`; what it was, or null when absent. */
  async delete(tx: Transaction, accountId: string, webhookId: string): Promise<EndpointRecord | null> {
    try {
      return await tx.webhookEndpoint.delete({
        where: { id: webhookId, accountId },
        select: ENDPOINT_SELECT,
      });
    } catch (error) {
      if (classifyPrismaError(error) === 'not_found') {
        return null;
      }
      throw error;
    }
  }

  /** The sealed current secret becomes the previous one until `previousExpiresAt`; null when absent. */
  async rotateSecret(
    accountId: string,
    webhookId: string,
    sealed: string,
    previousExpiresAt: Date,
  ): Promise<EndpointRecord | null> {
    // One statement: the old secret is read and moved where the new one is written.
    const count = await this.prisma.$executeRaw`
      UPDATE webhook_endpoints
         SET previous_secret = secret, previous_secret_expires_at = ${previousExpiresAt}::timestamptz,
             secret = ${sealed}, updated_at = now()
       WHERE id = ${webhookId}::uuid AND account_id = ${accountId}::uuid`;
    return count === 1 ? this.find(accountId, webhookId) : null;
  }

  /**
   * Whether an enabled endpoint of the account takes `type`: one plain statement along the account's
   * index, outside any transaction (the check that keeps changes of accounts without endpoints cheap).
   */
  async anySubscribed(accountId: string, type: string): Promise<boolean> {
    const [row] = await this.sql.query<{ wanted: boolean }>(
      Prisma.sql`SELECT EXISTS (SELECT 1 FROM webhook_endpoints
        WHERE account_id = ${accountId}::uuid AND enabled AND ${type} = ANY(events)) AS wanted`,
    );
    return row.wanted;
  }

  /** The enabled endpoints of an account that take `type`, along the account's index. */
  async findSubscribed(tx: Transaction, accountId: string, type: string): Promise<string[]> {
    // Raw statements on the change's write path: no query compiler work per change
    // (docs/architecture/data-access.md).
    const rows = await tx.$queryRaw<{ id: string }[]>(
      Prisma.sql`SELECT id::text AS id FROM webhook_endpoints
        WHERE account_id = ${accountId}::uuid AND enabled AND ${type} = ANY(events)`,
    );
    return rows.map(({ id }) => id);
  }

  /** An event and its deliveries (ids given), in the caller's transaction: one statement. */
  async createEvent(
    tx: Transaction,
    event: NewEvent,
    deliveries: { id: string; endpointId: string }[],
  ): Promise<void> {
    await tx.$executeRaw`
      WITH event AS (
        INSERT INTO webhook_events (id, account_id, type, payload, created_at)
        VALUES (${event.id}::uuid, ${event.accountId}::uuid, ${event.type}, ${JSON.stringify(event.payload)}::jsonb,
                ${event.createdAt}::timestamptz)
      )
      INSERT INTO webhook_deliveries (id, event_id, endpoint_id, next_attempt_at, created_at)
      SELECT delivery.id, ${event.id}::uuid, delivery.endpoint_id, ${event.createdAt}::timestamptz,
             ${event.createdAt}::timestamptz
        FROM unnest(${deliveries.map(({ id }) => id)}::uuid[], ${deliveries.map(({ endpointId }) => endpointId)}::uuid[])
             AS delivery(id, endpoint_id)`;
  }

  /** A page of an endpoint's deliveries, newest first; `limit + 1` rows. */
  listDeliveries(endpointId: string, limit: number, afterId?: string): Promise<DeliveryRecord[]> {
    return this.prisma.webhookDelivery.findMany({
      where: { endpointId, ...(afterId ? { id: { lt: afterId } } : {}) },
      orderBy: { id: 'desc' },
      take: limit + 1,
      relationLoadStrategy: 'join',
      select: DELIVERY_SELECT,
    });
  }

  findDelivery(endpointId: string, deliveryId: string): Promise<DeliveryRecord | null> {
    return this.prisma.webhookDelivery.findFirst({
      where: { id: deliveryId, endpointId },
      relationLoadStrategy: 'join',
      select: DELIVERY_SELECT,
    });
  }

  /** One hand-written statement per attempt, no query compiler work (docs/architecture/data-access.md). */
  async findForAttempt(deliveryId: string): Promise<AttemptRecord | null> {
    const [row] = await this.sql.query<AttemptRow>(Prisma.sql`
      SELECT d.id::text AS id, d.status::text AS status, d.attempts,
             e.id::text AS event_id, e.type AS event_type, e.payload::text AS body,
             p.id::text AS endpoint_id, p.url, p.enabled, p.secret, p.previous_secret,
             p.previous_secret_expires_at, p.failing_since
        FROM webhook_deliveries d
        JOIN webhook_events e ON e.id = d.event_id
        JOIN webhook_endpoints p ON p.id = d.endpoint_id
       WHERE d.id = ${deliveryId}::uuid`);
    if (!row) {
      return null;
    }
    return {
      id: row.id,
      status: row.status,
      attempts: row.attempts,
      event: { id: row.event_id, type: row.event_type, body: row.body },
      endpoint: {
        id: row.endpoint_id,
        url: row.url,
        enabled: row.enabled,
        secret: row.secret,
        previousSecret: row.previous_secret,
        previousSecretExpiresAt: row.previous_secret_expires_at,
        failingSince: row.failing_since,
      },
    };
  }

  /**
   * Records attempt number `attempt`, only if the delivery had `attempt - 1` attempts: a job that runs
   * twice (at least once) counts once. False when another run recorded it first. One statement: on
   * its own (a success, the usual case), or in `tx` with what follows from a failure.
   */
  async recordAttempt(
    tx: Transaction | undefined,
    deliveryId: string,
    attempt: number,
    fields: AttemptFields,
  ): Promise<boolean> {
    const statement = Prisma.sql`
      UPDATE webhook_deliveries
         SET attempts = ${attempt}, status = ${fields.status}::"WebhookDeliveryStatus",
             last_attempt_at = ${fields.lastAttemptAt}::timestamptz,
             next_attempt_at = ${fields.nextAttemptAt}::timestamptz,
             response_status = ${fields.responseStatus}::int, response_body = ${fields.responseBody}::text,
             error = ${fields.error}::text
       WHERE id = ${deliveryId}::uuid AND attempts = ${attempt - 1}
      RETURNING id`;
    const rows = tx ? await tx.$queryRaw<unknown[]>(statement) : await this.sql.query(statement);
    return rows.length === 1;
  }

  /** After a success the endpoint is no longer failing. */
  async markSucceeding(tx: Transaction, endpointId: string): Promise<void> {
    await tx.webhookEndpoint.updateMany({
      where: { id: endpointId, failingSince: { not: null } },
      data: { failingSince: null },
    });
  }

  /** After a failure: failing since `since` unless it already was. */
  async markFailing(tx: Transaction, endpointId: string, since: Date): Promise<void> {
    await tx.webhookEndpoint.updateMany({
      where: { id: endpointId, failingSince: null },
      data: { failingSince: since },
    });
  }

  async disable(tx: Transaction, endpointId: string, reason: string): Promise<void> {
    await tx.webhookEndpoint.updateMany({
      where: { id: endpointId },
      data: { enabled: false, disabledReason: reason },
    });
  }

  /** A delivery due again now (the retry route); its job is sent in the same transaction. */
  async markDue(tx: Transaction, deliveryId: string, at: Date): Promise<void> {
    await tx.webhookDelivery.updateMany({
      where: { id: deliveryId },
      data: { status: 'pending', nextAttemptAt: at },
    });
  }
}
