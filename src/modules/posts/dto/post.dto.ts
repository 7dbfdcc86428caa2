import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

import { PhotoDto } from '@/modules/photos/dto/photo.dto';
import { UserPublicDto } from '@/modules/users/dto/user.dto';

import { POST_TYPES, PostType, PROPERTY_TYPES, PropertyType } from '../post-enums';

@ApiSchema({ name: 'PostDetail' })
export class PostDetailDto {
  @ApiProperty({ type: String, nullable: true })
  desc!: string | null;

  @ApiProperty({ type: String, nullable: true })
  utilities!: string | null;

  @ApiProperty({ type: String, nullable: true })
  pet!: string | null;

  @ApiProperty({ type: String, nullable: true })
  income!: string | null;

  @ApiProperty({ type: 'integer', nullable: true })
  size!: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  school!: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  bus!: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  restaurant!: number | null;
}

/** A listing as lists show it. */
@ApiSchema({ name: 'PostSummary' })
export class PostSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  title!: string;

  /** Whole currency units. */
  @ApiProperty({ type: 'integer', minimum: 0 })
  price!: number;

  @ApiProperty({ type: [String] })
  images!: string[];

  @ApiProperty()
  address!: string;

  @ApiProperty()
  city!: string;

  @ApiProperty({ type: 'integer' })
  bedroom!: number;

  @ApiProperty({ type: 'integer' })
  bathroom!: number;

  @ApiProperty()
  latitude!: number;

  @ApiProperty()
  longitude!: number;

  @ApiProperty({ enum: POST_TYPES, enumName: 'PostType' })
  type!: PostType;

  @ApiProperty({ enum: PROPERTY_TYPES, enumName: 'PropertyType' })
  property!: PropertyType;

  /** The organisation account the post belongs to, if any. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  accountId!: string | null;

  @ApiProperty({ type: UserPublicDto })
  author!: UserPublicDto;

  /**
   * The first photo's thumbnail (400-pixel-wide WebP), or null without photos. Always sent; optional in
   * the schema only so that adding it breaks no client generated from an earlier document.
   */
  @ApiPropertyOptional({ type: String, nullable: true })
  coverPhotoUrl?: string | null;

  /** Whether the caller saved it; present only when the caller is signed in. */
  @ApiPropertyOptional()
  saved?: boolean;

  createdAt!: Date;
  updatedAt!: Date;
}

/** A listing with its details. */
@ApiSchema({ name: 'Post' })
export class PostDto extends PostSummaryDto {
  @ApiProperty({ type: PostDetailDto, nullable: true })
  detail!: PostDetailDto | null;

  /** Its photos in order, the cover first. Always sent; optional in the schema as `coverPhotoUrl` is. */
  @ApiPropertyOptional({ type: [PhotoDto] })
  photos?: PhotoDto[];
  /**
   * Present, and true, only when a moderator hid the post (a report resolved with HIDE_POST): then its
   * author and admins are the only ones who can read it, and it is out of every list.
   */
  @ApiPropertyOptional({ enum: [true] })
  hidden?: true;
}
