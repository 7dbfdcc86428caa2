import { Module } from '@nestjs/common';

import { PostsModule } from '../posts/posts.module';
import { ImageProcessor } from './image-processor';
import { PhotoOrphansJob } from './photo-orphans.job';
import { PhotoUploads } from './photo-upload';
import { PhotosController } from './photos.controller';
import { PhotosRepository } from './photos.repository';
import { PhotosService } from './photos.service';

/**
 * Listing photos: uploads, reordering, deletion, and the scheduled removal of stored files that no photo
 * names (storage and URLs come from the global MediaModule).
 */
@Module({
  imports: [PostsModule],
  controllers: [PhotosController],
  providers: [PhotosService, PhotosRepository, ImageProcessor, PhotoOrphansJob, PhotoUploads],
  exports: [PhotosRepository],
})
export class PhotosModule {}
