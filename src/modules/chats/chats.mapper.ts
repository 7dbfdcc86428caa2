import { toUserPublicDto } from '../users/users.mapper';
import type { ChatRecord, MessageRecord } from './chats.repository';
import type { ChatDto, LastMessageDto, MessageDto } from './dto/chat.dto';

function lastMessageOf(chat: ChatRecord): LastMessageDto | null {
  if (chat.lastMessageAt === null || chat.lastMessageText === null || chat.lastMessageUserId === null) {
    return null;
  }
  return { text: chat.lastMessageText, senderId: chat.lastMessageUserId, createdAt: chat.lastMessageAt };
}

/** A chat as a participant sees it, with that participant's count of unread messages. */
export function toChatDto(chat: ChatRecord, unreadCount: number): ChatDto {
  const lastMessageAt = chat.lastMessageAt;
  return {
    id: chat.id,
    participants: chat.participants.map((participant) => toUserPublicDto(participant.user)),
    lastMessage: lastMessageOf(chat),
    unreadCount,
    seenBy: lastMessageAt
      ? chat.participants
          .filter((participant) => participant.lastReadAt !== null && participant.lastReadAt >= lastMessageAt)
          .map((participant) => participant.userId)
      : [],
    createdAt: chat.createdAt,
    updatedAt: chat.updatedAt,
    lastActivityAt: chat.lastActivityAt,
  };
}

export function toMessageDto(message: MessageRecord): MessageDto {
  return {
    id: message.id,
    chatId: message.chatId,
    senderId: message.senderId,
    text: message.text,
    createdAt: message.createdAt,
  };
}
