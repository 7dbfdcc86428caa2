import type { ChatDto, MessageDto } from './dto/chat.dto';

/** The chats' events to clients, sent through RealtimeEvents (asyncapi.yaml documents each). */
declare module '@/realtime/realtime.events' {
  interface ServerEvents {
    'message.created': { chatId: string; message: MessageDto };
    'chat.read': { chatId: string; userId: string; lastReadAt: string };
    'chat.created': { chat: ChatDto };
    'chat.typing': { chatId: string; userId: string };
  }
}
