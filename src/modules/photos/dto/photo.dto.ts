import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** A photo of a listing: its display image (at most 2048 pixels a side) and a 400-pixel-wide WebP thumbnail. */
@ApiSchema({ name: 'Photo' })
export class PhotoDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  /** The display image, re-encoded in the uploaded format with no metadata. */
  @ApiProperty({
    example:
      '/media/posts/0195f1a4-6c3e-7d0a-9c55-1b2f3c4d5e70/0195f1a4-6c3e-7d0a-9c55-1b2f3c4d5e71/display.jpg',
  })
  url!: string;

  @ApiProperty({
    example:
      '/media/posts/0195f1a4-6c3e-7d0a-9c55-1b2f3c4d5e70/0195f1a4-6c3e-7d0a-9c55-1b2f3c4d5e71/thumb.webp',
  })
  thumbnailUrl!: string;

  /** Of the display image, in pixels. */
  @ApiProperty({ type: 'integer', minimum: 1 })
  width!: number;

  @ApiProperty({ type: 'integer', minimum: 1 })
  height!: number;

  /** Its place among the post's photos, 0 first. */
  @ApiProperty({ type: 'integer', minimum: 0 })
  position!: number;
}
