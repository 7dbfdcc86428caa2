import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/auth.module';
import { ChatsController } from './chats.controller';
import { ChatsGateway } from './chats.gateway';
import { ChatsRepository } from './chats.repository';
import { ChatsService } from './chats.service';

/** Chats over HTTP, and Socket.IO at /v1/realtime: the handshake, client events, sockets following their session. */
@Module({
  imports: [AuthModule],
  controllers: [ChatsController],
  providers: [ChatsService, ChatsRepository, ChatsGateway],
})
export class ChatsModule {}
