import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

@ApiSchema({ name: 'SavedPostCreate' })
export class SavePostDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'postId must be a UUID' })
  postId!: string;
}
