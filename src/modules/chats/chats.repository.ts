import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';
import { v7 as uuidv7 } from 'uuid';

import type { Upserted } from '@/common/http/created-or-ok';
import type { Position } from '@/common/pagination/cursor-codec';
import { Clock } from '@/common/time/clock';
import { classifyPrismaError, uniqueViolationFields } from '@/database/prisma-errors';
import { Columns, nullable, preparedStatement, RowOf, SqlClient, SqlParameter } from '@/database/sql-client';

import { UserNotFoundError } from '../users/users.errors';
import { PUBLIC_USER_SELECT } from '../users/users.repository';
import { ChatNotFoundError } from './chats.errors';

const CHAT_SELECT = {
  id: true,
  lastMessageText: true,
  lastMessageAt: true,
  lastMessageUserId: true,
  lastActivityAt: true,
  createdAt: true,
  updatedAt: true,
  participants: {
    select: { userId: true, lastReadAt: true, user: { select: PUBLIC_USER_SELECT } },
    orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }],
  },
} satisfies Prisma.ChatSelect;

/** The columns of a message record, as `MessageRecord` names them. */
const MESSAGE_COLUMNS = Prisma.sql`id, chat_id AS "chatId", sender_id AS "senderId", text, created_at AS "createdAt"`;
const MESSAGE_ROW = {
  id: 'uuid',
  chatId: 'uuid',
  senderId: 'uuid',
  text: 'text',
  createdAt: 'timestamptz',
} satisfies Columns;

export type ChatRecord = Prisma.ChatGetPayload<{ select: typeof CHAT_SELECT }>;
export type MessageRecord = RowOf<typeof MESSAGE_ROW>;

/** Chats strictly after `after` in (last activity desc, id desc) order. */
function olderThan(after: Position<Date> | undefined): Prisma.ChatWhereInput {
  return after
    ? { OR: [{ lastActivityAt: { lt: after.key } }, { lastActivityAt: after.key, id: { lt: after.id } }] }
    : {};
}

/** A message, or the row of nulls of an empty page (its `id` null). */
const MESSAGE_PAGE_ROW = nullable(MESSAGE_ROW);

/**
 * A page of a chat's messages, newest first (after a keyset when given), read for one participant: no
 * row when the user does not take part, one row of nulls when they do and the page is empty.
 */
function messagesFor(
  userId: SqlParameter,
  chatId: SqlParameter,
  rows: SqlParameter,
  after?: { at: SqlParameter; id: SqlParameter },
): Prisma.Sql {
  return Prisma.sql`
    SELECT m.*
      FROM chat_participants p
      LEFT JOIN LATERAL (
        SELECT ${MESSAGE_COLUMNS} FROM messages
         WHERE chat_id = p.chat_id
           ${after ? Prisma.sql`AND (created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)` : Prisma.empty}
         ORDER BY created_at DESC, id DESC
         LIMIT ${rows}
      ) m ON true
     WHERE p.chat_id = ${chatId}::uuid AND p.user_id = ${userId}::uuid`;
}

const MESSAGES = preparedStatement<[userId: string, chatId: string, rows: number]>(
  'chat_messages_first',
  (userId, chatId, rows) => messagesFor(userId, chatId, rows),
).returning(MESSAGE_PAGE_ROW);
const MESSAGES_AFTER = preparedStatement<
  [userId: string, chatId: string, at: Date, id: string, rows: number]
>('chat_messages_after', (userId, chatId, at, id, rows) =>
  messagesFor(userId, chatId, rows, { at, id }),
).returning(MESSAGE_PAGE_ROW);

const SEND_MESSAGE = preparedStatement<
  [chatId: string, senderId: string, id: string, text: string, now: Date]
>('chat_send_message', (chatId, senderId, id, text, sentAt) => {
  const now = Prisma.sql`${sentAt}::timestamptz`;
  return Prisma.sql`
    WITH sender AS (
      UPDATE chat_participants SET last_read_at = GREATEST(last_read_at, ${now})
       WHERE chat_id = ${chatId}::uuid AND user_id = ${senderId}::uuid
      RETURNING chat_id
    ), message AS (
      INSERT INTO messages (id, chat_id, sender_id, text, created_at)
      SELECT ${id}::uuid, chat_id, ${senderId}::uuid, ${text}, ${now} FROM sender
      RETURNING ${MESSAGE_COLUMNS}
    ), chat AS (
      UPDATE chats
         SET last_message_text = ${text}, last_message_at = ${now}, last_message_user_id = ${senderId}::uuid,
             last_message_id = ${id}::uuid, last_activity_at = ${now}, updated_at = ${now}
       WHERE id = (SELECT "chatId" FROM message)
         AND (last_message_at IS NULL OR last_message_at < ${now}
              OR (last_message_at = ${now} AND last_message_id < ${id}::uuid))
    )
    SELECT message.*,
           ARRAY(SELECT user_id::text FROM chat_participants WHERE chat_id = message."chatId") AS "participantIds"
      FROM message`;
}).returning({ ...MESSAGE_ROW, participantIds: 'text[]' });

const PARTICIPANT_IDS = preparedStatement<[chatId: string]>(
  'chat_participant_ids',
  (chatId) =>
    Prisma.sql`SELECT user_id::text AS "userId" FROM chat_participants WHERE chat_id = ${chatId}::uuid`,
).returning({ userId: 'text' });

/** The two-person chat key of a pair of users: the same whichever of them asks. */
export function pairKeyOf(a: string, b: string): string {
  return [a, b].sort().join(':');
}

@Injectable()
export class ChatsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
    private readonly clock: Clock,
  ) {}

  /** How many of `ids` are users. */
  countUsers(ids: string[]): Promise<number> {
    return this.prisma.user.count({ where: { id: { in: ids } } });
  }

  /**
   * Creates a chat and its participants in one write. A pair has one chat: when `pairKey` is taken
   * (the other person created it a moment ago, say), that chat is the answer, `created: false`.
   * UserNotFoundError when a participant does not exist.
   */
  async create(userIds: string[], pairKey: string | null): Promise<Upserted<ChatRecord>> {
    try {
      const now = this.clock.now();
      const chat = await this.prisma.chat.create({
        data: {
          pairKey,
          createdAt: now,
          lastActivityAt: now,
          participants: { create: userIds.map((userId) => ({ userId, joinedAt: now })) },
        },
        select: CHAT_SELECT,
      });
      return { value: chat, created: true };
    } catch (error) {
      const fields = uniqueViolationFields(error);
      if (pairKey && (fields.includes('pair_key') || fields.includes('pairKey'))) {
        // The winner's chat is committed; gone again only if both left it since.
        const winner = await this.findByPairKey(pairKey);
        if (!winner) {
          throw new ChatNotFoundError();
        }
        return { value: winner, created: false };
      }
      // A participant deleted since the service checked.
      if (classifyPrismaError(error) === 'foreign_key') {
        throw new UserNotFoundError();
      }
      throw error;
    }
  }

  findByPairKey(pairKey: string): Promise<ChatRecord | null> {
    return this.prisma.chat.findUnique({ where: { pairKey }, select: CHAT_SELECT });
  }

  /** The chat, when `userId` takes part in it. */
  findForParticipant(chatId: string, userId: string): Promise<ChatRecord | null> {
    return this.prisma.chat.findFirst({
      where: { id: chatId, participants: { some: { userId } } },
      select: CHAT_SELECT,
    });
  }

  /** What the rules need of a chat `userId` takes part in; null when it does not (or no such chat). */
  findMembership(chatId: string, userId: string): Promise<{ pairKey: string | null } | null> {
    return this.prisma.chat.findFirst({
      where: { id: chatId, participants: { some: { userId } } },
      select: { pairKey: true },
    });
  }

  /** A page of the chats of a user, most recent activity first; `limit + 1` rows to tell if more follow. */
  listForParticipant(userId: string, limit: number, after?: Position<Date>): Promise<ChatRecord[]> {
    return this.prisma.chat.findMany({
      where: { participants: { some: { userId } }, ...olderThan(after) },
      orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      select: CHAT_SELECT,
    });
  }

  /**
   * For each chat, how many messages from others `userId` has not read (newer than its read mark),
   * in one grouped query whatever the number of chats. Chats without unread messages are absent.
   */
  async countUnread(userId: string, chatIds: string[]): Promise<Map<string, number>> {
    if (chatIds.length === 0) {
      return new Map();
    }
    const rows = await this.prisma.$queryRaw<{ chatId: string; unread: number }[]>(Prisma.sql`
      SELECT m.chat_id::text AS "chatId", COUNT(*)::int AS "unread"
      FROM messages m
      JOIN chat_participants p ON p.chat_id = m.chat_id AND p.user_id = ${userId}::uuid
      WHERE m.chat_id IN (${Prisma.join(chatIds.map((id) => Prisma.sql`${id}::uuid`))})
        AND m.sender_id <> ${userId}::uuid
        AND (p.last_read_at IS NULL OR m.created_at > p.last_read_at)
      GROUP BY m.chat_id`);
    return new Map(rows.map((row) => [row.chatId, row.unread]));
  }

  /**
   * A page of a chat's messages, newest first, read for one of its participants in one statement;
   * `limit + 1` rows to tell if more follow. Null when `userId` does not take part in the chat.
   */
  async listMessagesFor(
    userId: string,
    chatId: string,
    limit: number,
    after?: Position<Date>,
  ): Promise<MessageRecord[] | null> {
    const rows = after
      ? await this.sql.run(MESSAGES_AFTER, [userId, chatId, after.key, after.id, limit + 1])
      : await this.sql.run(MESSAGES, [userId, chatId, limit + 1]);
    if (rows.length === 0) {
      return null;
    }
    return rows.filter((row): row is MessageRecord => row.id !== null);
  }

  /**
   * Adds a message from a participant; null when `senderId` does not take part in the chat. With it,
   * who takes part as the message is written: those whom it is for. One statement, so one transaction:
   * the sender's read mark (which also proves it takes part: null otherwise, with nothing written), the
   * message, and the chat's last message and activity, replaced only by a later (createdAt, id), so a
   * slower concurrent send never overwrites a newer message.
   */
  async sendMessage(
    chatId: string,
    senderId: string,
    text: string,
  ): Promise<{ message: MessageRecord; participantIds: string[] } | null> {
    const rows = await this.sql.run(SEND_MESSAGE, [chatId, senderId, uuidv7(), text, this.clock.now()]);
    if (!rows[0]) {
      return null;
    }
    const { participantIds, ...message } = rows[0];
    return { message, participantIds };
  }

  /** Who takes part in a chat now (none for a chat that does not exist). */
  async participantIds(chatId: string): Promise<string[]> {
    return (await this.sql.run(PARTICIPANT_IDS, [chatId])).map((row) => row.userId);
  }

  /** Sets a participant's read mark to now; null when `userId` does not take part in the chat. */
  async markRead(chatId: string, userId: string): Promise<Date | null> {
    const lastReadAt = this.clock.now();
    const { count } = await this.prisma.chatParticipant.updateMany({
      where: { chatId, userId },
      data: { lastReadAt },
    });
    return count > 0 ? lastReadAt : null;
  }

  /**
   * Removes a participant and, when it was the last one, the chat, in one transaction. The chat row
   * is locked before counting, so two last participants leaving at once cannot both see the other.
   */
  async leave(chatId: string, userId: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.chatParticipant.deleteMany({ where: { chatId, userId } });
      if (count === 0) {
        return false;
      }
      await tx.$queryRaw`SELECT id FROM chats WHERE id = ${chatId}::uuid FOR NO KEY UPDATE`;
      if ((await tx.chatParticipant.count({ where: { chatId } })) === 0) {
        await tx.chat.deleteMany({ where: { id: chatId } });
      }
      return true;
    });
  }
}
