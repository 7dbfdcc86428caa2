import { Module } from '@nestjs/common';

import { AccountsModule } from '../accounts/accounts.module';
import { WebhookDeliveryJob } from './webhook-delivery.job';
import { WebhookEvents } from './webhook-events';
import { WebhookSecretBox } from './webhook-secrets';
import { WebhookSender } from './webhook-sender';
import { WebhookTargets } from './webhook-targets';
import { WebhooksController } from './webhooks.controller';
import { webhookMetricProviders, WebhookMetrics } from './webhooks.metrics';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** Webhooks for integrators: endpoints, the events of account changes (WebhookEvents), deliveries. */
@Module({
  imports: [AccountsModule],
  controllers: [WebhooksController],
  providers: [
    ...webhookMetricProviders,
    WebhookMetrics,
    WebhooksRepository,
    WebhooksService,
    WebhookEvents,
    WebhookSecretBox,
    WebhookTargets,
    WebhookSender,
    WebhookDeliveryJob,
  ],
  exports: [WebhookEvents],
})
export class WebhooksModule {}
