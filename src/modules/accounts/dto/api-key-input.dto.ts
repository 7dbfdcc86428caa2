import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Length } from 'class-validator';

import { API_KEY_SCOPE_VALUES, ApiKeyScope } from '@/common/auth/api-key-scope';

@ApiSchema({ name: 'ApiKeyCreate' })
export class CreateApiKeyDto {
  @ApiProperty({ example: 'CRM import' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ enum: API_KEY_SCOPE_VALUES, enumName: 'ApiKeyScope', isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPE_VALUES, { each: true })
  scopes!: ApiKeyScope[];
}
