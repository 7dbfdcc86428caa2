import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';

import { WEBHOOK_EVENT_TYPES, WebhookEventType } from '../webhook-event-types';

@ApiSchema({ name: 'WebhookCreate' })
export class CreateWebhookDto {
  /** An https URL at a public address (checked now and at every delivery). */
  @ApiProperty({ example: 'https://hooks.example.com/listings', maxLength: 2048 })
  @IsString()
  @Length(1, 2048)
  url!: string;

  @ApiProperty({
    enum: WEBHOOK_EVENT_TYPES,
    enumName: 'WebhookEventType',
    isArray: true,
    example: ['post.created'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events!: WebhookEventType[];

  @ApiPropertyOptional({ example: 'CRM sync', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

@ApiSchema({ name: 'WebhookUpdate' })
export class UpdateWebhookDto {
  @ApiPropertyOptional({ example: 'https://hooks.example.com/listings-v2', maxLength: 2048 })
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, enumName: 'WebhookEventType', isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events?: WebhookEventType[];

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  /** `true` re-enables an endpoint the service disabled (and forgets why); `false` pauses deliveries. */
  @ApiPropertyOptional({ example: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
