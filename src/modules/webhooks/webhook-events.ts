import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';

import { Clock } from '@/common/time/clock';
import type { Transaction } from '@/database/sql-executor';
import { JobsService } from '@/jobs/jobs.service';
import { Queue } from '@/jobs/queue';

import { EventPayload, WebhooksRepository } from './webhooks.repository';

/** One attempt of one delivery: `attempt` is its number, so a job that runs twice is recorded once. */
export interface DeliveryJob {
  deliveryId: string;
  attempt: number;
}

/**
 * Attempts of webhook deliveries. The schedule between attempts is ours (each next attempt is a job of
 * its own, sent with a delay): pg-boss's own retries only cover an attempt that could not run to its
 * end (a crash, a shutdown, a database outage), and then quickly.
 */
export const WEBHOOK_DELIVERY_QUEUE = new Queue<DeliveryJob>('webhook-delivery', {
  retryLimit: 10,
  retryDelaySeconds: 5,
  retryBackoff: true,
  // The 10 s of the attempt, then the database work around it.
  expireInSeconds: 60,
  concurrency: 16,
});

/** The events of an account's changes, with a delivery and its first job per endpoint that takes them. */
@Injectable()
export class WebhookEvents {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
  ) {}

  /**
   * Whether a change of `type` to the account's data has anyone to tell: asked before the change, so
   * that a change nobody listens to runs as it did without webhooks (no transaction). An endpoint
   * registered between this answer and the change is as if registered just after it.
   */
  wanted(accountId: string, type: string): Promise<boolean> {
    return this.webhooks.anySubscribed(accountId, type);
  }

  /**
   * In the transaction of the change: written when it commits, never otherwise. `data` is only built
   * when an endpoint takes `type`.
   */
  async publish(
    tx: Transaction,
    accountId: string,
    type: string,
    data: () => Promise<object> | object,
  ): Promise<void> {
    const endpointIds = await this.webhooks.findSubscribed(tx, accountId, type);
    if (endpointIds.length > 0) {
      await this.write(tx, accountId, type, await data(), endpointIds);
    }
  }

  /** Writes an event for the given endpoints, whatever they take; the delivery ids, in that order. */
  async write(
    tx: Transaction,
    accountId: string,
    type: string,
    data: object,
    endpointIds: string[],
  ): Promise<string[]> {
    const createdAt = this.clock.now();
    const payload = JSON.parse(
      JSON.stringify({ type, timestamp: createdAt.toISOString(), data }),
    ) as EventPayload;
    const deliveries = endpointIds.map((endpointId) => ({ id: uuidv7(), endpointId }));
    await this.webhooks.createEvent(tx, { id: uuidv7(), accountId, type, payload, createdAt }, deliveries);
    for (const { id } of deliveries) {
      await this.jobs.send(WEBHOOK_DELIVERY_QUEUE, { deliveryId: id, attempt: 1 }, { transaction: tx });
    }
    return deliveries.map(({ id }) => id);
  }
}
