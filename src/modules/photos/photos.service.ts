import { Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';

import type { AuthUser } from '@/common/auth/auth-user';
import { UnavailableError } from '@/common/errors/domain-error';

import { PostNotFoundError } from '../posts/posts.errors';
import { PostsService } from '../posts/posts.service';
import type { PhotoDto } from './dto/photo.dto';
import { CONTENT_TYPE, EXTENSION, ImageProcessor } from './image-processor';
import { PhotoNotFoundError, TooManyPhotosError } from './photos.errors';
import { toPhotoDto } from './photos.mapper';
import { MAX_PHOTOS_PER_POST, PhotosRepository } from './photos.repository';
import { photoFolder } from './storage/media-keys';
import { MediaStorage, MediaUrls } from './storage/media-storage';

/** The media store did not take a file: the upload can be tried again. */
export class MediaStorageUnavailableError extends UnavailableError {
  constructor() {
    super('MEDIA_STORAGE_UNAVAILABLE', 'The photo could not be stored. Try again shortly.');
  }
}

/**
 * A post's photos, changed by whoever may change the post (PostsService decides). Files are written
 * before their row commits and deleted after it is gone; the orphan cleanup (photo-orphans.job.ts) removes
 * what a crash in between leaves.
 */
@Injectable()
export class PhotosService {
  private readonly logger = new Logger('Photos');

  constructor(
    private readonly posts: PostsService,
    private readonly photos: PhotosRepository,
    private readonly images: ImageProcessor,
    private readonly storage: MediaStorage,
    private readonly media: MediaUrls,
  ) {}

  /** `read` gives the uploaded bytes; it is called only once the caller may add a photo and a slot is free. */
  async addPhoto(actor: AuthUser, postId: string, read: () => Promise<Buffer>): Promise<PhotoDto> {
    await this.posts.assertMayChange(actor, postId);
    // Checked again when the row is written; here, so that a full post costs no upload.
    if ((await this.photos.count(postId)) >= MAX_PHOTOS_PER_POST) {
      throw new TooManyPhotosError();
    }
    const image = await this.images.withSlot(async () => this.images.process(await read()));
    const id = uuidv7();
    const folder = photoFolder(postId, id);
    const photo = {
      id,
      postId,
      width: image.width,
      height: image.height,
      displayKey: `${folder}display.${EXTENSION[image.format]}`,
      thumbKey: `${folder}thumb.webp`,
    };
    try {
      await this.storage.put(photo.displayKey, image.display, CONTENT_TYPE[image.format]);
      await this.storage.put(photo.thumbKey, image.thumbnail, 'image/webp');
    } catch (error) {
      this.logger.error(`Storing photo ${id} failed: ${(error as Error).message}`);
      await this.storage.discard(folder);
      throw new MediaStorageUnavailableError();
    }
    let created;
    try {
      created = await this.photos.append(photo);
    } catch (error) {
      await this.storage.discard(folder);
      throw error;
    }
    if (!created) {
      await this.storage.discard(folder);
      throw new PostNotFoundError();
    }
    return toPhotoDto(created, this.media);
  }

  async movePhoto(actor: AuthUser, postId: string, photoId: string, position: number): Promise<PhotoDto> {
    await this.posts.assertMayChange(actor, postId);
    const moved = await this.photos.move(postId, photoId, position);
    if (!moved) {
      throw new PhotoNotFoundError();
    }
    return toPhotoDto(moved, this.media);
  }

  async deletePhoto(actor: AuthUser, postId: string, photoId: string): Promise<void> {
    await this.posts.assertMayChange(actor, postId);
    if (!(await this.photos.remove(postId, photoId))) {
      throw new PhotoNotFoundError();
    }
    await this.storage.discard(photoFolder(postId, photoId));
  }
}
