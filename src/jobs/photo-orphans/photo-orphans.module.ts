import { Module } from '@nestjs/common';
import { PhotosModule } from '../../modules/photos/photos.module';
import { PhotoOrphansJob } from './photo-orphans.job';

/** The scheduled removal of stored photo files that no photo row names. */
@Module({
  imports: [PhotosModule],
  providers: [PhotoOrphansJob],
})
export class PhotoOrphansModule {}
