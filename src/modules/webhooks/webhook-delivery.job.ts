import { performance } from 'node:perf_hooks';

import { Injectable, Logger, OnModuleInit } from '@nestjs/common';

import { Clock } from '@/common/time/clock';
import { AppConfig } from '@/config/config.module';
import { Transactions } from '@/database/transactions';
import { JobsService } from '@/jobs/jobs.service';

import { decide, Decision, parseSchedule, RetryPolicy } from './delivery-policy';
import { WEBHOOK_TEST_EVENT } from './webhook-event-types';
import { DeliveryJob, WEBHOOK_DELIVERY_QUEUE } from './webhook-events';
import { signedHeaders, WebhookSecretBox, WebhookSecretUnreadableError } from './webhook-secrets';
import { AttemptResult, WebhookSender } from './webhook-sender';
import { outcomeOf, WebhookMetrics } from './webhooks.metrics';
import { AttemptFields, AttemptRecord, WebhooksRepository } from './webhooks.repository';

/**
 * Runs delivery attempts: signs the event's body afresh (a new timestamp, the same `webhook-id`), posts
 * it, and records the outcome with the next attempt's job in one transaction, so that an attempt is
 * counted once and a retry is never lost. An attempt stopped half-way (shutdown, crash) records nothing
 * and runs again: the receiver may see a `webhook-id` twice, never none.
 */
@Injectable()
export class WebhookDeliveryJob implements OnModuleInit {
  private readonly logger = new Logger('Webhooks');
  private readonly policy: RetryPolicy;
  /** Endpoints whose unreadable secret was reported: once each, not at every attempt. */
  private readonly warnedUnreadable = new Set<string>();

  constructor(
    private readonly jobs: JobsService,
    private readonly transactions: Transactions,
    private readonly webhooks: WebhooksRepository,
    private readonly sender: WebhookSender,
    private readonly secrets: WebhookSecretBox,
    private readonly metrics: WebhookMetrics,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.policy = {
      schedule: parseSchedule(config.get('WEBHOOK_RETRY_SCHEDULE_S', { infer: true })),
      retryAfterCapSeconds: config.get('WEBHOOK_RETRY_AFTER_MAX_S', { infer: true }),
    };
  }

  async onModuleInit(): Promise<void> {
    await this.jobs.register(WEBHOOK_DELIVERY_QUEUE, (data, { signal }) => this.attempt(data, signal));
  }

  async attempt({ deliveryId, attempt }: DeliveryJob, signal: AbortSignal): Promise<void> {
    const delivery = await this.webhooks.findForAttempt(deliveryId);
    if (!delivery || delivery.attempts >= attempt) {
      return; // its endpoint was deleted, or this attempt ran already
    }
    const { endpoint, event } = delivery;
    const startedAt = this.clock.now();
    // A disabled endpoint gets nothing but test pings: the delivery fails at once, without a request.
    const paused = !endpoint.enabled && event.type !== WEBHOOK_TEST_EVENT;
    const result: AttemptResult = paused
      ? { kind: 'refused', error: 'The webhook is disabled.' }
      : await this.send(delivery, startedAt, signal);
    const decision: Decision = paused
      ? { status: 'failed' }
      : decide(result, attempt, endpoint.failingSince, this.clock.now(), this.policy);
    const fields: AttemptFields = {
      status: decision.status,
      lastAttemptAt: startedAt,
      nextAttemptAt:
        decision.status === 'pending' ? new Date(startedAt.getTime() + decision.delaySeconds * 1000) : null,
      responseStatus: result.kind === 'response' ? result.status : null,
      responseBody: result.kind === 'response' ? result.body : null,
      error: result.kind === 'response' ? null : result.error,
    };
    // The usual case, a success of an endpoint that was not failing, is one statement on its own.
    if (decision.status === 'succeeded' && !endpoint.failingSince) {
      await this.webhooks.recordAttempt(undefined, deliveryId, attempt, fields);
      return;
    }
    await this.transactions.run(async (tx) => {
      if (!(await this.webhooks.recordAttempt(tx, deliveryId, attempt, fields))) {
        return; // another run of this job recorded it first
      }
      // The endpoint's failing state is written only when it changes.
      if (decision.status === 'succeeded') {
        await this.webhooks.markSucceeding(tx, endpoint.id);
        return;
      }
      if (!paused && !endpoint.failingSince) {
        await this.webhooks.markFailing(tx, endpoint.id, startedAt);
      }
      if (decision.status === 'failed' && decision.disable) {
        await this.webhooks.disable(tx, endpoint.id, decision.disable);
        this.logger.warn(`Webhook ${endpoint.id} disabled: ${decision.disable}`);
      }
      if (decision.status === 'pending') {
        await this.jobs.send(
          WEBHOOK_DELIVERY_QUEUE,
          { deliveryId, attempt: attempt + 1 },
          { transaction: tx, startAfterSeconds: decision.delaySeconds },
        );
      }
    });
  }

  /** One signed POST; what became of it. */
  private async send(delivery: AttemptRecord, now: Date, signal: AbortSignal): Promise<AttemptResult> {
    const { endpoint, event } = delivery;
    const secrets = this.signingSecrets(endpoint, now);
    if (secrets.length === 0) {
      return { kind: 'refused', error: new WebhookSecretUnreadableError().message };
    }
    const body = event.body;
    const started = performance.now();
    const result = await this.sender.post(
      endpoint.url,
      body,
      signedHeaders(`msg_${event.id}`, now, body, secrets),
      signal,
    );
    this.metrics.observe(outcomeOf(result), (performance.now() - started) / 1000);
    return result;
  }

  /**
   * The secrets this WEBHOOK_SECRET_KEY opens: the current one, and the previous one during its overlap.
   * One sealed under an earlier key is left out, so that a single rotation repairs an endpoint at once.
   */
  private signingSecrets(endpoint: AttemptRecord['endpoint'], now: Date): string[] {
    const sealed = [endpoint.secret, ...(this.inOverlap(endpoint, now) ? [endpoint.previousSecret!] : [])];
    const opened = sealed.map((secret) => this.secrets.tryOpen(secret));
    const readable = opened.filter((secret) => secret !== undefined);
    if (readable.length > 0 && readable.length < opened.length && !this.warnedUnreadable.has(endpoint.id)) {
      this.warnedUnreadable.add(endpoint.id);
      this.logger.warn(
        `Webhook ${endpoint.id}: its ${opened[0] === undefined ? 'current' : 'previous'} signing secret ` +
          'cannot be decrypted (WEBHOOK_SECRET_KEY changed): signing without it',
      );
    }
    return readable;
  }

  private inOverlap(endpoint: AttemptRecord['endpoint'], now: Date): boolean {
    return (
      endpoint.previousSecret !== null &&
      endpoint.previousSecretExpiresAt !== null &&
      endpoint.previousSecretExpiresAt > now
    );
  }
}
