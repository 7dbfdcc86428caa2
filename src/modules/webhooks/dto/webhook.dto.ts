import { ApiProperty, ApiSchema } from '@nestjs/swagger';

import {
  DELIVERY_STATUSES,
  DeliveryStatus,
  WEBHOOK_EVENT_TYPES,
  WebhookEventType,
} from '../webhook-event-types';

/** A webhook endpoint of an account, without its secret. */
@ApiSchema({ name: 'Webhook' })
export class WebhookDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  accountId!: string;

  @ApiProperty({ example: 'https://hooks.example.com/listings' })
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, enumName: 'WebhookEventType', isArray: true })
  events!: WebhookEventType[];

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  /** False once disabled, by a PATCH or by the service (see `disabledReason`): nothing is delivered. */
  @ApiProperty()
  enabled!: boolean;

  /** Why the service disabled it (a 410, or five days of failures); null otherwise. */
  @ApiProperty({ type: String, nullable: true, example: null })
  disabledReason!: string | null;

  /** Until when deliveries also carry a signature with the secret before the last rotation. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  previousSecretExpiresAt!: Date | null;

  createdAt!: Date;
  updatedAt!: Date;
}

/** A new endpoint with its signing secret: shown in this response only. */
@ApiSchema({ name: 'WebhookWithSecret' })
export class WebhookWithSecretDto extends WebhookDto {
  /** Verify deliveries with it (any Standard Webhooks library). Store it now: it cannot be read again. */
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })
  secret!: string;
}

/** The new signing secret after a rotation. */
@ApiSchema({ name: 'WebhookSecret' })
export class WebhookSecretDto {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })
  secret!: string;

  /** Until then deliveries carry signatures with both the new and the previous secret. */
  @ApiProperty({ type: String, format: 'date-time' })
  previousSecretExpiresAt!: Date;
}

/** One event to one endpoint: its attempts and the last answer. */
@ApiSchema({ name: 'WebhookDelivery' })
export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  /** Also the `webhook-id` header of every attempt, as `msg_<eventId>`. */
  @ApiProperty({ format: 'uuid' })
  eventId!: string;

  @ApiProperty({ example: 'post.created', description: 'A WebhookEventType, or `webhook.test`' })
  eventType!: string;

  @ApiProperty({ enum: DELIVERY_STATUSES, enumName: 'WebhookDeliveryStatus' })
  status!: DeliveryStatus;

  @ApiProperty({ type: 'integer', minimum: 0 })
  attempts!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastAttemptAt!: Date | null;

  /** When the next attempt is due; null once succeeded or failed for good. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextAttemptAt!: Date | null;

  /** The HTTP status of the last answer; null when there was none (timeout, refused address...). */
  @ApiProperty({ type: 'integer', nullable: true })
  responseStatus!: number | null;

  /** The first 4 KB of the last answer's body. */
  @ApiProperty({ type: String, nullable: true })
  responseBody!: string | null;

  /** Why the last attempt got no answer. */
  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  createdAt!: Date;
}
