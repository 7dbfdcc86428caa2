import type { WebhookDeliveryDto, WebhookDto } from './dto/webhook.dto';
import type { WebhookEventType } from './webhook-event-types';
import type { DeliveryRecord, EndpointRecord } from './webhooks.repository';

export function toWebhookDto(endpoint: EndpointRecord): WebhookDto {
  return {
    id: endpoint.id,
    accountId: endpoint.accountId,
    url: endpoint.url,
    events: endpoint.events as WebhookEventType[],
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    previousSecretExpiresAt: endpoint.previousSecretExpiresAt,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}

export function toWebhookDeliveryDto(delivery: DeliveryRecord): WebhookDeliveryDto {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.event.type,
    status: delivery.status,
    attempts: delivery.attempts,
    lastAttemptAt: delivery.lastAttemptAt,
    nextAttemptAt: delivery.nextAttemptAt,
    responseStatus: delivery.responseStatus,
    responseBody: delivery.responseBody,
    error: delivery.error,
    createdAt: delivery.createdAt,
  };
}
