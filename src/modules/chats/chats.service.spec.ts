import type { AuthUser } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import { RequestValidationError } from '@/common/errors/domain-error';
import { CursorCodec, InvalidCursorError } from '@/common/pagination/cursor-codec';
import type { RealtimeEvents } from '@/realtime/realtime.events';
import { strictFake } from '@test/helpers/strict-fake';

import { UserNotFoundError } from '../users/users.errors';
import { ChatNotFoundError, ChatNotLeavableError } from './chats.errors';
import type { ChatRecord, ChatsRepository, MessageRecord } from './chats.repository';
import { ChatsService } from './chats.service';

const ME = '01a211c9-1ada-701a-b52d-5e455dc3d299';
const BOB = '01a211c9-1a9b-75ac-b9ae-a6a4b4890a9a';
const CAROL = '01a211c9-2000-7000-8000-000000000003';
const CHAT_ID = '01a211c9-3000-7000-8000-000000000001';
const actor: AuthUser = { kind: 'user', id: ME, role: UserRole.User, sessionId: 'session' };
const page = { limit: 2, cursor: undefined };

function build(repository: Partial<ChatsRepository>) {
  const cursors = new CursorCodec('unit-test-cursor-secret');
  const emitted: { to: readonly string[]; event: string; payload: unknown; volatile: boolean }[] = [];
  const events = strictFake<RealtimeEvents>({
    toUsers: (to, event, payload) => void emitted.push({ to, event, payload, volatile: false }),
    volatileToUsers: (to, event, payload) => void emitted.push({ to, event, payload, volatile: true }),
  });
  return {
    service: new ChatsService(strictFake<ChatsRepository>(repository), cursors, events),
    cursors,
    emitted,
  };
}

function participant(userId: string, lastReadAt: Date | null) {
  return {
    userId,
    lastReadAt,
    user: { id: userId, username: `u${userId.slice(-4)}`, name: null, avatar: null, createdAt: new Date(0) },
  };
}

function chat(overrides: Partial<ChatRecord> = {}): ChatRecord {
  return {
    id: CHAT_ID,
    lastMessageText: null,
    lastMessageAt: null,
    lastMessageUserId: null,
    lastActivityAt: new Date('2026-11-25T10:00:00.000Z'),
    createdAt: new Date('2026-11-25T10:00:00.000Z'),
    updatedAt: new Date('2026-11-25T10:00:00.000Z'),
    participants: [participant(ME, null), participant(BOB, null)],
    ...overrides,
  };
}

describe(ChatsService.name, () => {
  describe('createChat', () => {
    it.each([[[]], [[ME]], [[ME, ME.toUpperCase()]]])(
      'refuses a chat with nobody but the caller (%j)',
      async (participantIds: string[]) => {
        const { service } = build({});
        const failure = service.createChat(actor, { participantIds });
        await expect(failure).rejects.toThrow(RequestValidationError);
        await expect(failure).rejects.toMatchObject({ errors: [{ field: 'participantIds' }] });
      },
    );

    it('refuses a chat with a user who does not exist', async () => {
      const { service } = build({ countUsers: () => Promise.resolve(1) });
      await expect(service.createChat(actor, { participantIds: [BOB, CAROL] })).rejects.toThrow(
        UserNotFoundError,
      );
    });

    it('returns the existing chat of a pair, found by the same key whoever asks', async () => {
      const findByPairKey = jest.fn().mockResolvedValue(chat());
      const { service } = build({
        countUsers: () => Promise.resolve(1),
        findByPairKey,
        countUnread: () => Promise.resolve(new Map([[CHAT_ID, 3]])),
      });
      const result = await service.createChat(actor, { participantIds: [BOB.toUpperCase(), ME, BOB] });
      expect(result).toMatchObject({ created: false, value: { id: CHAT_ID, unreadCount: 3 } });
      expect(findByPairKey).toHaveBeenCalledWith([ME, BOB].sort().join(':'));
    });

    it('creates a group chat without a pair key, each participant once', async () => {
      const create = jest.fn().mockResolvedValue({ value: chat(), created: true });
      const { service } = build({ countUsers: () => Promise.resolve(2), create });
      const result = await service.createChat(actor, { participantIds: [BOB, CAROL, BOB, ME] });
      expect(result.created).toBe(true);
      expect(create).toHaveBeenCalledWith([ME, BOB, CAROL], null);
    });

    it('returns the chat of the other person when it wins the race to create the pair', async () => {
      const { service } = build({
        countUsers: () => Promise.resolve(1),
        findByPairKey: () => Promise.resolve(null),
        create: () => Promise.resolve({ value: chat(), created: false }),
        countUnread: () => Promise.resolve(new Map()),
      });
      await expect(service.createChat(actor, { participantIds: [BOB] })).resolves.toMatchObject({
        created: false,
        value: { id: CHAT_ID, unreadCount: 0 },
      });
    });
  });

  describe('listChats', () => {
    it('counts unread messages of the kept chats in one call and pages by (lastActivityAt, id)', async () => {
      const rows = ['a', 'b', 'c'].map((id, i) =>
        chat({ id, lastActivityAt: new Date(Date.UTC(2026, 10, 25, 10, 0, 3 - i)) }),
      );
      const countUnread = jest.fn().mockResolvedValue(new Map([['b', 4]]));
      const listForParticipant = jest.fn().mockResolvedValue(rows);
      const { service, cursors } = build({ listForParticipant, countUnread });
      const result = await service.listChats(actor, page);
      expect(countUnread).toHaveBeenCalledTimes(1);
      expect(countUnread).toHaveBeenCalledWith(ME, ['a', 'b']);
      expect(result.data.map((item) => [item.id, item.unreadCount])).toEqual([
        ['a', 0],
        ['b', 4],
      ]);
      expect(cursors.decode('chats:recent', result.nextCursor!)).toEqual(['2026-11-25T10:00:02.000Z', 'b']);

      await service.listChats(actor, { limit: 2, cursor: result.nextCursor! });
      expect(listForParticipant).toHaveBeenLastCalledWith(ME, 2, {
        key: new Date('2026-11-25T10:00:02.000Z'),
        id: 'b',
      });
    });

    it('refuses a cursor of the message list', async () => {
      const { service, cursors } = build({});
      const cursor = cursors.encode('messages:newest', ['2026-11-25T10:00:00.000Z', 'x']);
      await expect(service.listChats(actor, { limit: 2, cursor })).rejects.toThrow(InvalidCursorError);
    });
  });

  describe('getChat', () => {
    it('hides a chat from anyone who does not take part in it', async () => {
      const { service } = build({ findForParticipant: () => Promise.resolve(null) });
      await expect(service.getChat(actor, CHAT_ID)).rejects.toThrow(ChatNotFoundError);
    });

    it('shows the last message and who has read up to it', async () => {
      const at = new Date('2026-11-25T11:00:00.000Z');
      const { service } = build({
        findForParticipant: () =>
          Promise.resolve(
            chat({
              lastMessageText: 'hi',
              lastMessageAt: at,
              lastMessageUserId: BOB,
              participants: [
                participant(ME, new Date(at.getTime() - 1)),
                participant(BOB, at),
                participant(CAROL, new Date(at.getTime() + 1)),
              ],
            }),
          ),
        countUnread: () => Promise.resolve(new Map([[CHAT_ID, 1]])),
      });
      await expect(service.getChat(actor, CHAT_ID)).resolves.toMatchObject({
        lastMessage: { text: 'hi', senderId: BOB, createdAt: at },
        unreadCount: 1,
        seenBy: [BOB, CAROL],
      });
    });
  });

  describe('messages', () => {
    it('lists nothing of a chat the caller does not take part in', async () => {
      const { service } = build({ listMessagesFor: () => Promise.resolve(null) });
      await expect(service.listMessages(actor, CHAT_ID, page)).rejects.toThrow(ChatNotFoundError);
    });

    it('pages messages by (createdAt, id)', async () => {
      const rows: MessageRecord[] = ['m3', 'm2', 'm1'].map((id, i) => ({
        id,
        chatId: CHAT_ID,
        senderId: BOB,
        text: id,
        createdAt: new Date(Date.UTC(2026, 10, 25, 10, 0, 3 - i)),
      }));
      const { service, cursors } = build({
        listMessagesFor: () => Promise.resolve(rows),
      });
      const result = await service.listMessages(actor, CHAT_ID, page);
      expect(result.data.map((message) => message.id)).toEqual(['m3', 'm2']);
      expect(cursors.decode('messages:newest', result.nextCursor!)).toEqual([
        '2026-11-25T10:00:02.000Z',
        'm2',
      ]);
    });

    it('refuses a send or a read mark to a chat the caller does not take part in', async () => {
      const { service } = build({
        sendMessage: () => Promise.resolve(null),
        markRead: () => Promise.resolve(null),
      });
      await expect(service.sendMessage(actor, CHAT_ID, { text: 'hi' })).rejects.toThrow(ChatNotFoundError);
      await expect(service.markRead(actor, CHAT_ID)).rejects.toThrow(ChatNotFoundError);
    });
  });

  describe('realtime events', () => {
    const sent: MessageRecord = {
      id: 'm1',
      chatId: CHAT_ID,
      senderId: ME,
      text: 'hi',
      createdAt: new Date('2026-11-25T10:00:00.000Z'),
    };

    it('tells every participant the message was written, with the message as the REST read gives it', async () => {
      const { service, emitted } = build({
        sendMessage: () => Promise.resolve({ message: sent, participantIds: [ME, BOB] }),
      });
      const message = await service.sendMessage(actor, CHAT_ID, { text: 'hi' });
      expect(emitted).toEqual([
        { to: [ME, BOB], event: 'message.created', payload: { chatId: CHAT_ID, message }, volatile: false },
      ]);
    });

    it('emits nothing for a send or a read mark that was refused', async () => {
      const { service, emitted } = build({
        sendMessage: () => Promise.resolve(null),
        markRead: () => Promise.resolve(null),
      });
      await expect(service.sendMessage(actor, CHAT_ID, { text: 'hi' })).rejects.toThrow(ChatNotFoundError);
      await expect(service.markRead(actor, CHAT_ID)).rejects.toThrow(ChatNotFoundError);
      expect(emitted).toEqual([]);
    });

    it('tells the participants of a read mark, read after the mark is written', async () => {
      const at = new Date('2026-11-25T10:00:05.000Z');
      const { service, emitted } = build({
        markRead: () => Promise.resolve(at),
        participantIds: () => Promise.resolve([ME, CAROL]),
      });
      await service.markRead(actor, CHAT_ID);
      expect(emitted).toEqual([
        {
          to: [ME, CAROL],
          event: 'chat.read',
          payload: { chatId: CHAT_ID, userId: ME, lastReadAt: at.toISOString() },
          volatile: false,
        },
      ]);
    });

    it('sends typing, volatile, to the other participants only, and refuses a chat the caller is not in', async () => {
      const { service, emitted } = build({ participantIds: () => Promise.resolve([BOB, ME, CAROL]) });
      await service.typing(actor, CHAT_ID);
      expect(emitted).toEqual([
        { to: [BOB, CAROL], event: 'chat.typing', payload: { chatId: CHAT_ID, userId: ME }, volatile: true },
      ]);
      const outsider = build({ participantIds: () => Promise.resolve([BOB, CAROL]) });
      await expect(outsider.service.typing(actor, CHAT_ID)).rejects.toThrow(ChatNotFoundError);
      expect(outsider.emitted).toEqual([]);
    });
  });

  describe('leaveChat', () => {
    it('refuses to leave a two-person chat', async () => {
      const { service } = build({ findMembership: () => Promise.resolve({ pairKey: `${BOB}:${ME}` }) });
      await expect(service.leaveChat(actor, CHAT_ID)).rejects.toThrow(ChatNotLeavableError);
    });

    it('refuses to leave a chat the caller is not in', async () => {
      const { service } = build({ findMembership: () => Promise.resolve(null) });
      await expect(service.leaveChat(actor, CHAT_ID)).rejects.toThrow(ChatNotFoundError);
    });

    it('leaves a group chat', async () => {
      const leave = jest.fn().mockResolvedValue(true);
      const { service } = build({ findMembership: () => Promise.resolve({ pairKey: null }), leave });
      await service.leaveChat(actor, CHAT_ID);
      expect(leave).toHaveBeenCalledWith(CHAT_ID, ME);
    });

    it('answers not found when the caller left in the meantime', async () => {
      const { service } = build({
        findMembership: () => Promise.resolve({ pairKey: null }),
        leave: () => Promise.resolve(false),
      });
      await expect(service.leaveChat(actor, CHAT_ID)).rejects.toThrow(ChatNotFoundError);
    });
  });
});
