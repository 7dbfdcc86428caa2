import { ApiProperty, ApiSchema } from '@nestjs/swagger';

import { API_KEY_SCOPE_VALUES, ApiKeyScope } from '@/common/auth/api-key-scope';

/** An API key, without its secret. */
@ApiSchema({ name: 'ApiKey' })
export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  /** The start of the key, to recognise it; not secret. */
  @ApiProperty({ example: 'lk_3f9a1c2b7d4e' })
  prefix!: string;

  @ApiProperty({ enum: API_KEY_SCOPE_VALUES, enumName: 'ApiKeyScope', isArray: true })
  scopes!: ApiKeyScope[];

  createdAt!: Date;

  /** Last use, to within a minute. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt!: Date | null;
}

/** A new API key with its secret: shown in this response only, never again. */
@ApiSchema({ name: 'ApiKeyWithSecret' })
export class ApiKeyWithSecretDto extends ApiKeyDto {
  /** Send as the `X-API-Key` header. Store it now: it cannot be read again. */
  @ApiProperty({ example: 'lk_3f9a1c2b7d4e_8Jc0...' })
  secret!: string;
}
