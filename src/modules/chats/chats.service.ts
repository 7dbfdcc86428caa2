import { Injectable } from '@nestjs/common';

import type { AuthUser } from '@/common/auth/auth-user';
import type { Upserted } from '@/common/http/created-or-ok';
import { CursorCodec, Keyset } from '@/common/pagination/cursor-codec';
import type { PageDto } from '@/common/pagination/page.dto';
import type { PageQueryDto } from '@/common/pagination/page-query.dto';
import { RealtimeEvents } from '@/realtime/realtime.events';

import { UserNotFoundError } from '../users/users.errors';
import { ChatNotFoundError, ChatNotLeavableError, NoOtherParticipantError } from './chats.errors';
import { toChatDto, toMessageDto } from './chats.mapper';
import { ChatRecord, ChatsRepository, MessageRecord, pairKeyOf } from './chats.repository';
import type { ChatDto, MessageDto } from './dto/chat.dto';
import type { CreateChatDto, SendMessageDto } from './dto/chat-input.dto';

const CHATS = Keyset.byTime<ChatRecord>('chats:recent', (chat) => ({
  key: chat.lastActivityAt,
  id: chat.id,
}));
const MESSAGES = Keyset.byTime<MessageRecord>('messages:newest', (message) => ({
  key: message.createdAt,
  id: message.id,
}));

@Injectable()
export class ChatsService {
  constructor(
    private readonly chats: ChatsRepository,
    private readonly cursors: CursorCodec,
    private readonly events: RealtimeEvents,
  ) {}

  /**
   * Creates a chat of the caller and the users listed. A pair has one two-person chat at most: when
   * it exists (also when the other person created it a moment ago), that chat is returned instead.
   */
  async createChat(actor: AuthUser, input: CreateChatDto): Promise<Upserted<ChatDto>> {
    // Lower-case, as the database prints UUIDs: the pair key must not depend on how an id was written.
    const ids = input.participantIds.map((id) => id.toLowerCase());
    const others = [...new Set(ids)].filter((id) => id !== actor.id);
    if (others.length === 0) {
      throw new NoOtherParticipantError();
    }
    if ((await this.chats.countUsers(others)) !== others.length) {
      throw new UserNotFoundError();
    }
    const pairKey = others.length === 1 ? pairKeyOf(actor.id, others[0]) : null;
    const existing = pairKey ? await this.chats.findByPairKey(pairKey) : null;
    if (existing) {
      return { value: await this.withUnreadCount(actor, existing), created: false };
    }
    const { value: chat, created } = await this.chats.create([actor.id, ...others], pairKey);
    if (!created) {
      return { value: await this.withUnreadCount(actor, chat), created };
    }
    const value = toChatDto(chat, 0);
    // A new chat has no messages: nothing is unread for anyone, so the creator's view is everyone's.
    this.events.toUsers(others, 'chat.created', { chat: value });
    return { value, created };
  }

  /** The caller's chats, most recent activity first; a fixed number of queries per page. */
  async listChats(actor: AuthUser, page: PageQueryDto): Promise<PageDto<ChatDto>> {
    const after = this.cursors.after(CHATS, page.cursor);
    const rows = await this.chats.listForParticipant(actor.id, page.limit, after);
    const unread = await this.chats.countUnread(
      actor.id,
      rows.slice(0, page.limit).map((row) => row.id),
    );
    return this.cursors.toPage(CHATS, rows, page.limit, (row) => toChatDto(row, unread.get(row.id) ?? 0));
  }

  async getChat(actor: AuthUser, chatId: string): Promise<ChatDto> {
    const chat = await this.chats.findForParticipant(chatId, actor.id);
    if (!chat) {
      throw new ChatNotFoundError();
    }
    return this.withUnreadCount(actor, chat);
  }

  /** A chat's messages, newest first; keyset pages, so messages arriving meanwhile shift nothing. */
  async listMessages(actor: AuthUser, chatId: string, page: PageQueryDto): Promise<PageDto<MessageDto>> {
    const after = this.cursors.after(MESSAGES, page.cursor);
    const rows = await this.chats.listMessagesFor(actor.id, chatId, page.limit, after);
    if (!rows) {
      throw new ChatNotFoundError();
    }
    return this.cursors.toPage(MESSAGES, rows, page.limit, toMessageDto);
  }

  async sendMessage(actor: AuthUser, chatId: string, input: SendMessageDto): Promise<MessageDto> {
    const sent = await this.chats.sendMessage(chatId, actor.id, input.text);
    if (!sent) {
      throw new ChatNotFoundError();
    }
    const message = toMessageDto(sent.message);
    this.events.toUsers(sent.participantIds, 'message.created', { chatId, message });
    return message;
  }

  async markRead(actor: AuthUser, chatId: string): Promise<void> {
    const lastReadAt = await this.chats.markRead(chatId, actor.id);
    if (!lastReadAt) {
      throw new ChatNotFoundError();
    }
    const participants = await this.chats.participantIds(chatId);
    this.events.toUsers(participants, 'chat.read', {
      chatId,
      userId: actor.id,
      lastReadAt: lastReadAt.toISOString(),
    });
  }

  /** Tells the chat's other participants that the caller is typing (volatile: no one waits for it). */
  async typing(actor: AuthUser, chatId: string): Promise<void> {
    const participants = await this.chats.participantIds(chatId);
    if (!participants.includes(actor.id)) {
      throw new ChatNotFoundError();
    }
    const others = participants.filter((id) => id !== actor.id);
    this.events.volatileToUsers(others, 'chat.typing', { chatId, userId: actor.id });
  }

  /** Only group chats can be left; the last participant to leave deletes the chat. */
  async leaveChat(actor: AuthUser, chatId: string): Promise<void> {
    const membership = await this.assertParticipant(actor, chatId);
    if (membership.pairKey !== null) {
      throw new ChatNotLeavableError();
    }
    if (!(await this.chats.leave(chatId, actor.id))) {
      throw new ChatNotFoundError();
    }
  }

  private async assertParticipant(actor: AuthUser, chatId: string): Promise<{ pairKey: string | null }> {
    const membership = await this.chats.findMembership(chatId, actor.id);
    if (!membership) {
      throw new ChatNotFoundError();
    }
    return membership;
  }

  private async withUnreadCount(actor: AuthUser, chat: ChatRecord): Promise<ChatDto> {
    const unread = await this.chats.countUnread(actor.id, [chat.id]);
    return toChatDto(chat, unread.get(chat.id) ?? 0);
  }
}
