import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../modules/auth/auth.module';
import { ChatsModule } from '../modules/chats/chats.module';
import { RealtimeEvents } from './realtime.events';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimeMetrics, realtimeMetricProviders } from './realtime.metrics';

/** What the services emit through: global, so that a use case of any module can tell people. */
@Global()
@Module({
  providers: [RealtimeEvents, RealtimeMetrics, ...realtimeMetricProviders],
  exports: [RealtimeEvents, RealtimeMetrics],
})
export class RealtimeEventsModule {}

/** Socket.IO at /v1/realtime: the handshake, the client events, and sockets following their session. */
@Module({
  imports: [AuthModule, ChatsModule],
  providers: [RealtimeGateway],
})
export class RealtimeModule {}
