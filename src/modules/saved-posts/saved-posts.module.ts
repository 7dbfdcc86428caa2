import { Module } from '@nestjs/common';

import { SavedPostsController } from './saved-posts.controller';
import { SavedPostsRepository } from './saved-posts.repository';
import { SavedPostsService } from './saved-posts.service';

@Module({
  controllers: [SavedPostsController],
  providers: [SavedPostsService, SavedPostsRepository],
})
export class SavedPostsModule {}
