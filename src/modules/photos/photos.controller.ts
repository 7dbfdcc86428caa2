import { Body, Controller, Delete, HttpCode, Patch, Post, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import { ApiKeyScope } from '@/common/auth/api-key-scope';
import { AcceptsApiKey } from '@/common/auth/api-key-scopes.decorator';
import { AuthUser, CurrentUser } from '@/common/auth/auth-user';
import { RequestValidationError } from '@/common/errors/domain-error';
import { NotIdempotent } from '@/common/idempotency/idempotency';
import { ApiProblems } from '@/common/openapi/problem-responses.decorator';
import { IdParam } from '@/common/pipes/parse-id.pipe';

import { NotPostOwnerError, PostNotFoundError } from '../posts/posts.errors';
import { PhotoDto } from './dto/photo.dto';
import { PhotoUploadDto, UpdatePhotoDto } from './dto/photo-input.dto';
import { AcceptsMultipart, readPhotoFile } from './photo-upload';
import {
  InvalidImageError,
  PhotoNotFoundError,
  PhotoTooLargeError,
  TooManyPhotosError,
  TooManyPixelsError,
  UnsupportedImageTypeError,
} from './photos.errors';
import { MediaStorageUnavailableError, PhotosService } from './photos.service';

@ApiTags('posts')
@Controller('v1/posts/:id/photos')
export class PhotosController {
  constructor(private readonly photos: PhotosService) {}

  @Post()
  // Idempotency keys fingerprint a JSON body; this one is a stream the handler reads once, not kept.
  @NotIdempotent()
  @AcceptsMultipart()
  @AcceptsApiKey(ApiKeyScope.PostsWrite)
  @ApiOperation({
    summary: 'Add a photo to a listing',
    description:
      'For whoever may change the post. One `file` part: JPEG, PNG or WebP (told from its bytes), at most ' +
      '10 MB and 50 megapixels. It is oriented, re-encoded without any metadata (no EXIF, no GPS), fitted ' +
      "in 2048 pixels, and given a 400-pixel-wide WebP thumbnail; it goes after the post's last photo. " +
      'Both URLs work once this answers.',
    operationId: 'photos_create',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: PhotoUploadDto })
  @ApiCreatedResponse({ type: PhotoDto, description: 'The stored photo' })
  @ApiProblems(
    new RequestValidationError([{ field: 'file', message: 'send exactly one part: a file named file' }]),
    new InvalidImageError(),
    new PostNotFoundError(),
    new NotPostOwnerError(),
    new TooManyPhotosError(),
    new PhotoTooLargeError(),
    new TooManyPixelsError(),
    new UnsupportedImageTypeError(),
    new MediaStorageUnavailableError(),
  )
  create(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Req() request: FastifyRequest,
  ): Promise<PhotoDto> {
    return this.photos.addPhoto(actor, id, () => readPhotoFile(request));
  }

  @Patch(':photoId')
  @AcceptsApiKey(ApiKeyScope.PostsWrite)
  @ApiOperation({
    summary: "Move a photo among the listing's photos",
    description: 'The photos between its old and new position move by one; position 0 is the cover.',
    operationId: 'photos_update',
  })
  @ApiOkResponse({ type: PhotoDto, description: 'The photo at its new position' })
  @ApiProblems(new PostNotFoundError(), new PhotoNotFoundError(), new NotPostOwnerError())
  update(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @IdParam('photoId') photoId: string,
    @Body() body: UpdatePhotoDto,
  ): Promise<PhotoDto> {
    return this.photos.movePhoto(actor, id, photoId, body.position);
  }

  @Delete(':photoId')
  @AcceptsApiKey(ApiKeyScope.PostsWrite)
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a photo and its files', operationId: 'photos_delete' })
  @ApiNoContentResponse({ description: 'Deleted; its URLs answer 404 from now on' })
  @ApiProblems(new PostNotFoundError(), new PhotoNotFoundError(), new NotPostOwnerError())
  async delete(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @IdParam('photoId') photoId: string,
  ): Promise<void> {
    await this.photos.deletePhoto(actor, id, photoId);
  }
}
