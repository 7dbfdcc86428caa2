import { Module } from '@nestjs/common';

import { AccountsModule } from '../accounts/accounts.module';
import { UsersModule } from '../users/users.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { PostsController } from './posts.controller';
import { PostsRepository } from './posts.repository';
import { PostsService } from './posts.service';

@Module({
  imports: [UsersModule, AccountsModule, WebhooksModule],
  controllers: [PostsController],
  providers: [PostsService, PostsRepository],
  // Photos (modules/photos) are changed by whoever may change their post.
  exports: [PostsService],
})
export class PostsModule {}
