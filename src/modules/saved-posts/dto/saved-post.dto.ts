import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { PostSummaryDto } from '../../posts/dto/post.dto';

@ApiSchema({ name: 'SavedPostCreate' })
export class SavePostDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'postId must be a UUID' })
  postId!: string;
}

@ApiSchema({ name: 'SavedPost' })
export class SavedPostDto {
  @ApiProperty({ format: 'uuid' })
  postId!: string;

  /** When the caller saved it. */
  savedAt!: Date;

  @ApiProperty({ type: PostSummaryDto })
  post!: PostSummaryDto;
}
