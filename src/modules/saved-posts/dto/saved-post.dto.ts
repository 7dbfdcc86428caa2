import { ApiProperty, ApiSchema } from '@nestjs/swagger';

import { PostSummaryDto } from '@/modules/posts/dto/post.dto';

@ApiSchema({ name: 'SavedPost' })
export class SavedPostDto {
  @ApiProperty({ format: 'uuid' })
  postId!: string;

  /** When the caller saved it. */
  savedAt!: Date;

  @ApiProperty({ type: PostSummaryDto })
  post!: PostSummaryDto;
}
