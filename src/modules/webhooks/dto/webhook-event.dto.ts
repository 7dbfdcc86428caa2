import { ApiProperty, ApiSchema } from '@nestjs/swagger';

import { PostDto } from '@/modules/posts/dto/post.dto';

/** `data` of `post.created` and `post.updated`. */
@ApiSchema({ name: 'WebhookPostData' })
export class WebhookPostDataDto {
  /** The post as `GET /v1/posts/{id}` answers an anonymous caller. */
  @ApiProperty({ type: PostDto })
  post!: PostDto;
}

/** The body of a `post.created` or `post.updated` delivery. */
@ApiSchema({ name: 'WebhookPostEvent' })
export class WebhookPostEventDto {
  @ApiProperty({ enum: ['post.created', 'post.updated'] })
  type!: 'post.created' | 'post.updated';

  /** When the change happened. */
  @ApiProperty({ type: String, format: 'date-time' })
  timestamp!: string;

  @ApiProperty({ type: WebhookPostDataDto })
  data!: WebhookPostDataDto;
}

@ApiSchema({ name: 'WebhookDeletedPost' })
export class WebhookDeletedPostDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
}

@ApiSchema({ name: 'WebhookPostDeletedData' })
export class WebhookPostDeletedDataDto {
  @ApiProperty({ type: WebhookDeletedPostDto })
  post!: WebhookDeletedPostDto;
}

/** The body of a `post.deleted` delivery. */
@ApiSchema({ name: 'WebhookPostDeletedEvent' })
export class WebhookPostDeletedEventDto {
  @ApiProperty({ enum: ['post.deleted'] })
  type!: 'post.deleted';

  @ApiProperty({ type: String, format: 'date-time' })
  timestamp!: string;

  @ApiProperty({ type: WebhookPostDeletedDataDto })
  data!: WebhookPostDeletedDataDto;
}

@ApiSchema({ name: 'WebhookTestData' })
export class WebhookTestDataDto {
  @ApiProperty({ format: 'uuid' })
  webhookId!: string;
}

/** The body of the delivery `POST .../webhooks/{webhookId}/test` sends. */
@ApiSchema({ name: 'WebhookTestEvent' })
export class WebhookTestEventDto {
  @ApiProperty({ enum: ['webhook.test'] })
  type!: 'webhook.test';

  @ApiProperty({ type: String, format: 'date-time' })
  timestamp!: string;

  @ApiProperty({ type: WebhookTestDataDto })
  data!: WebhookTestDataDto;
}
