import { PrismaService } from 'nestjs-prisma';
import pg from 'pg';

import { createChat, sendMessage } from '../factories/chats';
import { RegisteredUser, registerUser } from '../factories/users';
import { SteppingClock } from '../helpers/stepping-clock';
import { useTestApp } from '../helpers/test-app';

const UNKNOWN_ID = '01a211c9-1ada-701a-b52d-5e455dc3d299';

const ids = (items: { id: string }[]) => items.map((item) => item.id);

/** Orders messages newest first by (createdAt, id), as the API promises. */
function newestFirst<T extends { createdAt: string; id: string }>(messages: T[]): T[] {
  return [...messages].sort((a, b) =>
    a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
  );
}

describe('chats', () => {
  // Each time the service writes is strictly after the last: rows order without sleeping.
  const server = useTestApp({}, { clock: new SteppingClock() });

  const users = (count: number) => Promise.all(Array.from({ length: count }, () => registerUser(server.api)));

  const getChat = (chatId: string, user: RegisteredUser) =>
    server.api.get(`/v1/chats/${chatId}`, { token: user.accessToken });

  const leave = (chatId: string, user: RegisteredUser) =>
    server.api.delete(`/v1/chats/${chatId}/participants/me`, { token: user.accessToken });

  describe('create', () => {
    it('creates a two-person chat (201), then answers 200 with the same chat for either person', async () => {
      const [alice, bob] = await users(2);
      const created = await server.api.post(
        '/v1/chats',
        { participantIds: [bob.id] },
        { token: alice.accessToken },
      );
      expect(created.status).toBe(201);
      expect(created.headers.get('cache-control')).toBe('no-store');
      expect(created.body).toMatchObject({ lastMessage: null, unreadCount: 0, seenBy: [] });
      expect(ids(created.body.participants).sort()).toEqual([alice.id, bob.id].sort());
      expect(created.body.participants[0]).toEqual({
        id: expect.any(String),
        username: expect.any(String),
        name: expect.any(String),
        avatar: null,
        createdAt: expect.any(String),
      });
      expect(created.text).not.toMatch(/email|role|password/i);

      for (const [caller, participantIds] of [
        [bob, [alice.id]],
        [alice, [bob.id, alice.id, bob.id.toUpperCase()]],
      ] as const) {
        const again = await server.api.post('/v1/chats', { participantIds }, { token: caller.accessToken });
        expect(again.status).toBe(200);
        expect(again.body.id).toBe(created.body.id);
      }
    });

    it('creates a new group chat each time', async () => {
      const [alice, bob, carol] = await users(3);
      const first = await createChat(server.api, alice, [bob, carol]);
      const second = await server.api.post(
        '/v1/chats',
        { participantIds: [bob.id, carol.id] },
        { token: alice.accessToken },
      );
      expect(second.status).toBe(201);
      expect(second.body.id).not.toBe(first.id);
      expect(second.body.participants).toHaveLength(3);
    });

    it('makes one chat of a pair that both people create at the same moment', async () => {
      for (let round = 0; round < 5; round += 1) {
        const [alice, bob] = await users(2);
        const responses = await Promise.all([
          server.api.post('/v1/chats', { participantIds: [bob.id] }, { token: alice.accessToken }),
          server.api.post('/v1/chats', { participantIds: [alice.id] }, { token: bob.accessToken }),
        ]);
        expect(responses.map((response) => response.status).sort()).toEqual([200, 201]);
        expect(responses[0].body.id).toBe(responses[1].body.id);
        const listed = await server.api.get('/v1/chats', { token: alice.accessToken });
        expect(ids(listed.body.data)).toEqual([responses[0].body.id]);
      }
    });

    it.each([
      ['only the caller', (me: RegisteredUser) => [me.id]],
      ['the caller twice', (me: RegisteredUser) => [me.id, me.id.toUpperCase()]],
      ['nobody', () => []],
      ['a malformed id', () => ['not-a-uuid']],
      ['not a list', () => 'someone'],
      ['too many people', () => Array.from({ length: 51 }, () => UNKNOWN_ID)],
    ])('refuses %s with 400 naming participantIds', async (name, participantIds) => {
      const [me] = await users(1);
      const response = await server.api.post(
        '/v1/chats',
        { participantIds: participantIds(me) },
        { token: me.accessToken, invalid: `participantIds: ${name}` },
      );
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain('participantIds');
    });

    it('refuses unknown users (404) and fields a client may not set (400)', async () => {
      const [me, other] = await users(2);
      const unknown = await server.api.post(
        '/v1/chats',
        { participantIds: [other.id, UNKNOWN_ID] },
        { token: me.accessToken },
      );
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('USER_NOT_FOUND');
      const extra = await server.api.post(
        '/v1/chats',
        { participantIds: [other.id], pairKey: 'x' },
        { token: me.accessToken, invalid: 'a field a client may not set' },
      );
      expect(extra.status).toBe(400);
      expect(extra.body.errors).toContainEqual({ field: 'pairKey', message: 'pairKey is not allowed' });
      expect((await server.api.get('/v1/chats', { token: me.accessToken })).body.data).toEqual([]);
    });
  });

  describe('access', () => {
    let alice: RegisteredUser;
    let bob: RegisteredUser;
    let carol: RegisteredUser;
    let outsider: RegisteredUser;
    let chatId: string;

    beforeAll(async () => {
      [alice, bob, carol, outsider] = await users(4);
      chatId = (await createChat(server.api, alice, [bob, carol])).id;
      await sendMessage(server.api, chatId, alice, 'hello');
    });

    const calls = (id: string) =>
      [
        ['GET', `/v1/chats/${id}`, undefined],
        ['GET', `/v1/chats/${id}/messages`, undefined],
        ['POST', `/v1/chats/${id}/messages`, { text: 'hi' }],
        ['POST', `/v1/chats/${id}/read`, undefined],
        ['DELETE', `/v1/chats/${id}/participants/me`, undefined],
      ] as const;

    it('answers 404 CHAT_NOT_FOUND to a non-participant and for an unknown chat, and changes nothing', async () => {
      for (const id of [chatId, UNKNOWN_ID]) {
        for (const [method, path, body] of calls(id)) {
          const response = await server.api.request(method, path, { body, token: outsider.accessToken });
          expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
          expect(response.body.code).toBe('CHAT_NOT_FOUND');
          expect(response.headers.get('cache-control')).toBe('no-store');
        }
      }
      const chat = await getChat(chatId, alice);
      expect(chat.body.participants).toHaveLength(3);
      expect(chat.body.lastMessage.text).toBe('hello');
      expect((await server.api.get('/v1/chats', { token: outsider.accessToken })).body.data).toEqual([]);
    });

    it('marks refusals before the handler no-store too (no token: 401)', async () => {
      for (const [method, path, body] of calls(chatId)) {
        const response = await server.api.request(method, path, { body });
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
        expect(response.headers.get('cache-control')).toBe('no-store');
      }
    });

    it('answers 401 to an anonymous caller', async () => {
      for (const [method, path, body] of [
        ['GET', '/v1/chats', undefined],
        ['POST', '/v1/chats', { participantIds: [bob.id] }],
        ...calls(chatId),
      ] as const) {
        const response = await server.api.request(method, path, { body });
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
      }
    });

    it('answers 400 naming the id when it is malformed', async () => {
      for (const [method, path, body] of calls('12345')) {
        const response = await server.api.request(method, path, {
          body,
          token: alice.accessToken,
          invalid: 'a malformed chat id',
        });
        expect(response.status).toBe(400);
        expect(response.body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
      }
    });
  });

  describe('messages', () => {
    it('sends a trimmed message and makes it the last message, read by its sender', async () => {
      const [alice, bob] = await users(2);
      const chat = await createChat(server.api, alice, [bob]);
      const sent = await server.api.post(
        `/v1/chats/${chat.id}/messages`,
        { text: '  Is it still available?\n' },
        { token: bob.accessToken },
      );
      expect(sent.status).toBe(201);
      expect(sent.headers.get('cache-control')).toBe('no-store');
      expect(sent.body).toEqual({
        id: expect.any(String),
        chatId: chat.id,
        senderId: bob.id,
        text: 'Is it still available?',
        createdAt: expect.any(String),
      });
      const seen = await getChat(chat.id, alice);
      expect(seen.body).toMatchObject({
        lastMessage: { text: 'Is it still available?', senderId: bob.id, createdAt: sent.body.createdAt },
        lastActivityAt: sent.body.createdAt,
        unreadCount: 1,
        seenBy: [bob.id],
      });
      const listed = await server.api.get(`/v1/chats/${chat.id}/messages`, { token: alice.accessToken });
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({ data: [sent.body], nextCursor: null });
    });

    it.each([
      ['empty', ''],
      ['only whitespace', ' \n\t '],
      ['too long', 'x'.repeat(5001)],
      ['not text', 42],
      ['missing', undefined],
    ])('refuses a text that is %s', async (name, text) => {
      const [alice, bob] = await users(2);
      const chat = await createChat(server.api, alice, [bob]);
      const response = await server.api.post(
        `/v1/chats/${chat.id}/messages`,
        text === undefined ? {} : { text },
        { token: alice.accessToken, invalid: `a text that is ${name}` },
      );
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain('text');
      expect((await getChat(chat.id, alice)).body.lastMessage).toBeNull();
    });

    it('accepts 5,000 characters, counted after trimming', async () => {
      const [alice, bob] = await users(2);
      const chat = await createChat(server.api, alice, [bob]);
      const response = await server.api.post(
        `/v1/chats/${chat.id}/messages`,
        { text: `  ${'x'.repeat(5000)}  ` },
        { token: alice.accessToken, invalid: 'spaces beyond the documented length, which the server trims' },
      );
      expect(response.status).toBe(201);
      const sent = response.body as { text: string };
      expect(sent.text).toHaveLength(5000);
    });

    it('keeps all of fifty parallel sends, and the newest as last message', async () => {
      for (let round = 0; round < 3; round += 1) {
        const [alice, bob, carol] = await users(3);
        const chat = await createChat(server.api, alice, [bob, carol]);
        const senders = [alice, bob, carol];
        const responses = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            server.api.post(
              `/v1/chats/${chat.id}/messages`,
              { text: `message ${i}` },
              { token: senders[i % 3].accessToken },
            ),
          ),
        );
        expect(responses.map((response) => response.status)).toEqual(Array(50).fill(201));
        const sent = newestFirst(responses.map((response) => response.body));

        const listed = await server.api.get(`/v1/chats/${chat.id}/messages?limit=100`, {
          token: bob.accessToken,
        });
        expect(ids(listed.body.data)).toEqual(ids(sent));
        const shown = (await getChat(chat.id, bob)).body;
        expect(shown.lastMessage).toEqual({
          text: sent[0].text,
          senderId: sent[0].senderId,
          createdAt: sent[0].createdAt,
        });
        expect(shown.lastActivityAt).toBe(sent[0].createdAt);
        expect(shown.seenBy).toContain(sent[0].senderId);
      }
    });

    it('serves sends, read marks and leaves of one group at once without a server error', async () => {
      const members = await users(4);
      const chat = await createChat(server.api, members[0], members.slice(1));
      const responses = await Promise.all(
        Array.from({ length: 30 }, (_, i) => {
          const member = members[i % 4];
          if (i % 10 === 9) {
            return leave(chat.id, member);
          }
          if (i % 5 === 2) {
            return server.api.post(`/v1/chats/${chat.id}/read`, undefined, { token: member.accessToken });
          }
          return server.api.post(
            `/v1/chats/${chat.id}/messages`,
            { text: `m${i}` },
            { token: member.accessToken },
          );
        }),
      );
      for (const response of responses) {
        expect([201, 204, 404]).toContain(response.status);
      }
    });

    it('pages through messages newest first while new ones arrive, without duplicates or gaps', async () => {
      const [alice, bob] = await users(2);
      const chat = await createChat(server.api, alice, [bob]);
      const before = [];
      for (let i = 0; i < 7; i += 1) {
        before.push(await sendMessage(server.api, chat.id, i % 2 ? alice : bob, `old ${i}`));
      }
      const seen: { id: string }[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page = await server.api.get(`/v1/chats/${chat.id}/messages?limit=3${query}`, {
          token: alice.accessToken,
        });
        expect(page.status).toBe(200);
        seen.push(...page.body.data);
        cursor = page.body.nextCursor;
        pages += 1;
        await sendMessage(server.api, chat.id, bob, `new ${pages}`);
      } while (cursor);
      expect(pages).toBe(3);
      expect(ids(seen)).toEqual(ids(before).reverse());

      const fresh = await server.api.get(`/v1/chats/${chat.id}/messages?limit=3`, { token: bob.accessToken });
      expect(fresh.body.data.map((message: { text: string }) => message.text)).toEqual([
        'new 3',
        'new 2',
        'new 1',
      ]);
    });

    it('refuses a cursor that is forged or belongs to another list', async () => {
      const [alice, bob, carol] = await users(3);
      const chat = await createChat(server.api, alice, [bob]);
      await createChat(server.api, alice, [carol]);
      const chats = await server.api.get('/v1/chats?limit=1', { token: alice.accessToken });
      for (const cursor of ['abc', `${chats.body.nextCursor}x`, chats.body.nextCursor]) {
        const response = await server.api.get(
          `/v1/chats/${chat.id}/messages?cursor=${encodeURIComponent(cursor)}`,
          { token: alice.accessToken, invalid: 'a forged cursor, or one of another list' },
        );
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('INVALID_CURSOR');
      }
      const tooMany = await server.api.get(`/v1/chats/${chat.id}/messages?limit=101`, {
        token: alice.accessToken,
        invalid: 'a page size over the maximum',
      });
      expect(tooMany.body.errors[0].field).toBe('limit');
    });
  });

  describe('read marks', () => {
    it('counts unread messages per reader and shows who has seen the last message', async () => {
      const [alice, bob, carol] = await users(3);
      const chat = await createChat(server.api, alice, [bob, carol]);
      await sendMessage(server.api, chat.id, alice, 'one');
      await sendMessage(server.api, chat.id, alice, 'two');

      const view = async (user: RegisteredUser) => (await getChat(chat.id, user)).body;
      expect(await view(alice)).toMatchObject({ unreadCount: 0, seenBy: [alice.id] });
      expect(await view(bob)).toMatchObject({ unreadCount: 2, seenBy: [alice.id] });
      expect(await view(carol)).toMatchObject({ unreadCount: 2 });

      const read = await server.api.post(`/v1/chats/${chat.id}/read`, undefined, { token: bob.accessToken });
      expect(read.status).toBe(204);
      expect(read.headers.get('cache-control')).toBe('no-store');
      expect((await view(bob)).unreadCount).toBe(0);
      expect((await view(carol)).unreadCount).toBe(2);
      expect([...(await view(carol)).seenBy].sort()).toEqual([alice.id, bob.id].sort());

      await sendMessage(server.api, chat.id, carol, 'three');
      expect(await view(alice)).toMatchObject({ unreadCount: 1, seenBy: [carol.id] });
      expect(await view(bob)).toMatchObject({ unreadCount: 1 });
      expect(await view(carol)).toMatchObject({ unreadCount: 0 });

      const listed = await server.api.get('/v1/chats', { token: bob.accessToken });
      expect(listed.body.data[0]).toMatchObject({ id: chat.id, unreadCount: 1, seenBy: [carol.id] });
    });
  });

  describe('a deleted participant', () => {
    it('leaves no words behind: the chat shows the latest message left, or none', async () => {
      const [alice, bob, carol] = await users(3);
      const group = await createChat(server.api, alice, [bob, carol]);
      await sendMessage(server.api, group.id, alice, 'from alice');
      await sendMessage(server.api, group.id, bob, 'from bob, to be deleted');
      const pair = await createChat(server.api, bob, [carol]);
      await sendMessage(server.api, pair.id, bob, 'only bob wrote here');

      expect((await server.api.delete('/v1/users/me', { token: bob.accessToken })).status).toBe(204);

      const shown = (await getChat(group.id, carol)).body;
      expect(shown.lastMessage).toMatchObject({ text: 'from alice', senderId: alice.id });
      expect((await getChat(pair.id, carol)).body.lastMessage).toBeNull();
      const listed = await server.api.get('/v1/chats', { token: carol.accessToken });
      expect(listed.text).not.toContain('to be deleted');
      expect(listed.text).not.toContain('only bob wrote here');
    });
  });

  describe('list', () => {
    it('lists my chats by latest activity, page by page', async () => {
      const [me, x, y, z] = await users(4);
      const withX = await createChat(server.api, me, [x]);
      const withY = await createChat(server.api, y, [me]);
      const group = await createChat(server.api, z, [me, x]);
      await sendMessage(server.api, withX.id, x, 'ping');
      await createChat(server.api, x, [y]);

      const first = await server.api.get('/v1/chats?limit=2', { token: me.accessToken });
      expect(first.status).toBe(200);
      expect(first.headers.get('cache-control')).toBe('no-store');
      expect(ids(first.body.data)).toEqual([withX.id, group.id]);
      expect(first.body.data[0]).toMatchObject({ unreadCount: 1, lastMessage: { text: 'ping' } });
      const second = await server.api.get(`/v1/chats?limit=2&cursor=${first.body.nextCursor}`, {
        token: me.accessToken,
      });
      expect(ids(second.body.data)).toEqual([withY.id]);
      expect(second.body.nextCursor).toBeNull();

      const all = await server.api.get('/v1/chats', { token: me.accessToken });
      expect(ids(all.body.data)).toEqual([withX.id, group.id, withY.id]);
      for (const chat of all.body.data) {
        expect((await getChat(chat.id, me)).body).toEqual(chat);
      }
    });

    it('costs the same number of queries for a page of two chats and of eight', async () => {
      // The application's statements of the request with the fewest of three: the job workers poll on the
      // same pool from this process (their statements name the pgboss schema), and the session check is
      // cached after the first request.
      const statementsOf = async (user: RegisteredUser): Promise<string[]> => {
        const runs: string[][] = [];
        for (let attempt = 0; attempt < 3; attempt++) {
          const query = jest.spyOn(pg.Client.prototype, 'query');
          try {
            const response = await server.api.get('/v1/chats', { token: user.accessToken });
            expect(response.status).toBe(200);
            runs.push(
              query.mock.calls
                .map(([statement]: unknown[]) =>
                  typeof statement === 'string' ? statement : String((statement as { text?: unknown }).text),
                )
                .filter((text) => !text.includes('pgboss')),
            );
          } finally {
            query.mockRestore();
          }
        }
        return runs.reduce((fewest, run) => (run.length < fewest.length ? run : fewest));
      };
      const [few, many, ...others] = await users(9);
      for (const [index, other] of others.entries()) {
        if (index < 2) {
          await sendMessage(server.api, (await createChat(server.api, few, [other])).id, other, 'hi');
        }
        await sendMessage(server.api, (await createChat(server.api, many, [other, few])).id, other, 'hi');
      }
      expect((await server.api.get('/v1/chats', { token: many.accessToken })).body.data).toHaveLength(7);
      const baseline = await statementsOf(few);
      expect(baseline.length).toBeGreaterThan(0);
      // The same statements (their IN lists aside): as many for eight chats as for two.
      expect((await statementsOf(many)).length).toBe(baseline.length);
    });
  });

  describe('leave', () => {
    it('refuses to let anyone leave a two-person chat', async () => {
      const [alice, bob] = await users(2);
      const chat = await createChat(server.api, alice, [bob]);
      const response = await leave(chat.id, alice);
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('CHAT_NOT_LEAVABLE');
      expect((await getChat(chat.id, alice)).body.participants).toHaveLength(2);
    });

    it('lets participants leave a group chat; the last one out deletes it', async () => {
      const [alice, bob, carol] = await users(3);
      const chat = await createChat(server.api, alice, [bob, carol]);
      await sendMessage(server.api, chat.id, bob, 'bye');

      const left = await leave(chat.id, bob);
      expect(left.status).toBe(204);
      expect(left.headers.get('cache-control')).toBe('no-store');
      expect((await getChat(chat.id, bob)).status).toBe(404);
      expect((await leave(chat.id, bob)).status).toBe(404);
      expect(ids((await getChat(chat.id, alice)).body.participants).sort()).toEqual(
        [alice.id, carol.id].sort(),
      );
      expect((await server.api.get('/v1/chats', { token: bob.accessToken })).body.data).toEqual([]);

      expect((await leave(chat.id, carol)).status).toBe(204);
      expect((await leave(chat.id, alice)).status).toBe(204);
      const prisma = server.app.get(PrismaService);
      expect(await prisma.chat.count({ where: { id: chat.id } })).toBe(0);
      expect(await prisma.message.count({ where: { chatId: chat.id } })).toBe(0);
    });

    it('deletes the chat when its last two participants leave at the same moment', async () => {
      const prisma = server.app.get(PrismaService);
      for (let round = 0; round < 10; round += 1) {
        const [alice, bob, carol] = await users(3);
        const chat = await createChat(server.api, alice, [bob, carol]);
        expect((await leave(chat.id, carol)).status).toBe(204);
        const responses = await Promise.all([leave(chat.id, alice), leave(chat.id, bob)]);
        expect(responses.map((response) => response.status)).toEqual([204, 204]);
        expect(await prisma.chat.count({ where: { id: chat.id } })).toBe(0);
      }
    });
  });
});
