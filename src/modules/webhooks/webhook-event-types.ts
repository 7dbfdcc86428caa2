/** The events an endpoint may subscribe to. */
export const WebhookEventType = {
  PostCreated: 'post.created',
  PostUpdated: 'post.updated',
  PostDeleted: 'post.deleted',
} as const;
export type WebhookEventType = (typeof WebhookEventType)[keyof typeof WebhookEventType];
export const WEBHOOK_EVENT_TYPES = Object.values(WebhookEventType);

/** Sent to one endpoint on request (`POST .../test`), whatever it subscribes to. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
