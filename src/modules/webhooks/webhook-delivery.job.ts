import { performance } from 'node:perf_hooks';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/time/clock';
import { AppConfig } from '../../config/config.module';
import { JobsService } from '../../jobs/jobs.service';
import { decide, Decision, parseSchedule, RetryPolicy } from './delivery-policy';
import { DeliveryJob, WEBHOOK_DELIVERY_QUEUE } from './webhook-events';
import { WEBHOOK_TEST_EVENT } from './webhook-event-types';
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

  constructor(
    private readonly jobs: JobsService,
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
    await this.webhooks.transaction(async (tx) => {
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
    let secrets: string[];
    try {
      secrets = [endpoint.secret, ...(this.inOverlap(endpoint, now) ? [endpoint.previousSecret!] : [])].map(
        (sealed) => this.secrets.open(sealed),
      );
    } catch (error) {
      if (error instanceof WebhookSecretUnreadableError) {
        return { kind: 'refused', error: error.message };
      }
      throw error;
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

  private inOverlap(endpoint: AttemptRecord['endpoint'], now: Date): boolean {
    return (
      endpoint.previousSecret !== null &&
      endpoint.previousSecretExpiresAt !== null &&
      endpoint.previousSecretExpiresAt > now
    );
  }
}
