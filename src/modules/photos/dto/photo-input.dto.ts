import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';

import { MAX_PHOTOS_PER_POST } from '../photos.repository';

/** The one part of an upload, as the document describes the form. */
@ApiSchema({ name: 'PhotoUpload' })
export class PhotoUploadDto {
  /** A JPEG, PNG or WebP image of at most 10 MB and 50 megapixels. */
  @ApiProperty({ type: 'string', format: 'binary' })
  file!: unknown;
}

@ApiSchema({ name: 'PhotoUpdate' })
export class UpdatePhotoDto {
  /** Where the photo goes, 0 first; the photos between move up or down by one. Past the last, it goes last. */
  @ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_PHOTOS_PER_POST - 1 })
  @IsInt()
  @Min(0)
  @Max(MAX_PHOTOS_PER_POST - 1)
  position!: number;
}
