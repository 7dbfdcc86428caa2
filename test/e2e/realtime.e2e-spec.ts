import { setTimeout as sleep } from 'node:timers/promises';

import jwt from 'jsonwebtoken';
import type { Socket } from 'socket.io-client';

import { createChat, sendMessage } from '../factories/chats';
import { type RegisteredUser, registerUser } from '../factories/users';
import {
  connectRealtime,
  disconnection,
  dropAndReconnect,
  Inbox,
  refusalOf,
} from '../helpers/realtime-client';
import { METRICS_TOKEN, useTestApp } from '../helpers/test-app';

const JWT_SECRET = 'realtime-test-secret-0123456789-0123456789';

/** An access token of the user's session that expires in `seconds` (the service's own last 30 s at least). */
function shortLived(user: RegisteredUser, seconds: number): string {
  const { exp: _exp, iat: _iat, ...claims } = jwt.decode(user.accessToken) as Record<string, unknown>;
  return jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) + seconds }, JWT_SECRET);
}

describe('realtime (Socket.IO at /v1/realtime)', () => {
  const server = useTestApp({ JWT_SECRET });
  const sockets: Socket[] = [];
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await server.app.getUrl();
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) {
      socket.close();
    }
  });

  const users = (count: number) => Promise.all(Array.from({ length: count }, () => registerUser(server.api)));
  const connect = async (user: RegisteredUser, token = user.accessToken): Promise<Inbox> => {
    const socket = await connectRealtime(baseUrl, token);
    sockets.push(socket);
    return new Inbox(socket);
  };

  describe('the handshake', () => {
    it('refuses a missing, malformed, forged, expired or revoked token with UNAUTHENTICATED', async () => {
      const [alice] = await users(1);
      const claims = {
        sub: alice.id,
        role: 'USER',
        sid: '01a211c9-1ada-701a-b52d-5e455dc3d299',
        typ: 'access',
      };
      const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, JWT_SECRET);
      const forged = jwt.sign(claims, 'another-secret-0123456789-0123456789', { expiresIn: 60 });
      for (const token of [undefined, '', 'not-a-jwt', forged, expired]) {
        expect(await refusalOf(baseUrl, token)).toEqual({
          code: 'UNAUTHENTICATED',
          detail: expect.any(String),
        });
      }
      // A well-signed token of a session that was never issued.
      expect(await refusalOf(baseUrl, jwt.sign(claims, JWT_SECRET, { expiresIn: 60 }))).toMatchObject({
        code: 'UNAUTHENTICATED',
      });
      const token = alice.accessToken;
      expect((await server.api.post('/v1/auth/logout', undefined, { token })).status).toBe(204);
      expect(await refusalOf(baseUrl, token)).toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('takes websocket only, at /v1/realtime', async () => {
      const [alice] = await users(1);
      const polling = await fetch(`${baseUrl}/v1/realtime/?EIO=4&transport=polling`);
      expect(polling.status).toBe(400);
      const inbox = await connect(alice);
      expect(inbox.socket.connected).toBe(true);
    });
  });

  describe('chat events', () => {
    it('delivers a message to every participant, as the REST read gives it, and to no one else', async () => {
      const [alice, bob, carol] = await users(3);
      const chat = await createChat(server.api, alice, [bob]);
      const [a, b, c] = await Promise.all([alice, bob, carol].map((user) => connect(user)));
      const sent = await sendMessage(server.api, chat.id, alice, 'is it still available?');
      const [received] = await b.next('message.created');
      expect(received).toEqual({ chatId: chat.id, message: sent });
      await a.next('message.created');
      const read = await server.api.get(`/v1/chats/${chat.id}/messages?limit=1`, { token: bob.accessToken });
      expect(read.body.data[0]).toEqual((received as { message: unknown }).message);
      await sleep(100);
      expect(c.of('message.created')).toEqual([]);
    });

    it('tells the other participants of a new chat, and every participant of a read mark', async () => {
      const [alice, bob] = await users(2);
      const [a, b] = await Promise.all([alice, bob].map((user) => connect(user)));
      const chat = await createChat(server.api, alice, [bob]);
      const [created] = await b.next('chat.created');
      expect(created).toEqual({ chat: expect.objectContaining({ id: chat.id, unreadCount: 0 }) });
      expect(
        (await server.api.post(`/v1/chats/${chat.id}/read`, undefined, { token: bob.accessToken })).status,
      ).toBe(204);
      const [mark] = await a.next('chat.read');
      expect(mark).toEqual({ chatId: chat.id, userId: bob.id, lastReadAt: expect.any(String) });
      await b.next('chat.read');
      expect(a.of('chat.created')).toEqual([]);
    });

    it('sends nothing more to someone who left a chat', async () => {
      const [alice, bob, carol] = await users(3);
      const group = await createChat(server.api, alice, [bob, carol]);
      const [, b, c] = await Promise.all([alice, bob, carol].map((user) => connect(user)));
      await sendMessage(server.api, group.id, alice, 'one');
      await c.next('message.created');
      const left = await server.api.delete(`/v1/chats/${group.id}/participants/me`, {
        token: carol.accessToken,
      });
      expect(left.status).toBe(204);
      await sendMessage(server.api, group.id, alice, 'two');
      await b.next('message.created', 2);
      await sleep(100);
      expect(c.of('message.created')).toHaveLength(1);
    });
  });

  describe('typing', () => {
    it('reaches the other participants only, volatile, acknowledged with ok', async () => {
      const [alice, bob] = await users(2);
      const chat = await createChat(server.api, alice, [bob]);
      const [a, b] = await Promise.all([alice, bob].map((user) => connect(user)));
      expect(await a.socket.timeout(2000).emitWithAck('chat.typing', { chatId: chat.id })).toEqual({
        ok: true,
      });
      expect(await b.next('chat.typing')).toEqual([{ chatId: chat.id, userId: alice.id }]);
      await sleep(100);
      expect(a.of('chat.typing')).toEqual([]);
    });

    it('answers errors with acks: a chat of others, malformed payloads, the rate limit, an unknown event', async () => {
      const [alice, bob, carol] = await users(3);
      const chat = await createChat(server.api, alice, [bob]);
      const [a, b, c] = await Promise.all([alice, bob, carol].map((user) => connect(user)));
      const ack = (inbox: Inbox, event: string, ...args: unknown[]) =>
        inbox.socket.timeout(2000).emitWithAck(event, ...args);

      expect(await ack(c, 'chat.typing', { chatId: chat.id })).toEqual({
        error: { code: 'NOT_FOUND', detail: expect.any(String) },
      });
      for (const payload of [
        undefined,
        null,
        'text',
        [chat.id],
        {},
        { chatId: 42 },
        { chatId: 'not-a-uuid' },
        { chatId: chat.id, extra: true },
      ]) {
        expect([payload, await ack(a, 'chat.typing', payload)]).toEqual([
          payload,
          { error: { code: 'VALIDATION_FAILED', detail: expect.any(String) } },
        ]);
      }
      expect(await ack(a, 'no.such.event', { chatId: chat.id })).toEqual({
        error: { code: 'UNKNOWN_EVENT', detail: expect.any(String) },
      });
      // Ten typing events per ten seconds per socket (the eight refused above counted too).
      const answers = [];
      for (let event = 0; event < 4; event += 1) {
        answers.push(await ack(a, 'chat.typing', { chatId: chat.id }));
      }
      expect(answers).toEqual([
        { ok: true },
        { ok: true },
        { error: { code: 'RATE_LIMITED', detail: expect.any(String) } },
        { error: { code: 'RATE_LIMITED', detail: expect.any(String) } },
      ]);
      expect(a.socket.connected && b.socket.connected && c.socket.connected).toBe(true);
      // A message without an ack changes nothing either.
      a.socket.emit('chat.typing', 'garbage');
      a.socket.emit('garbage.event');
      await sleep(50);
      expect(a.socket.connected).toBe(true);
    });
  });

  describe('a socket follows its session', () => {
    it('is disconnected at a logout, with session.ended, and by the server (no automatic retry)', async () => {
      const [alice] = await users(1);
      const inbox = await connect(alice);
      const gone = disconnection(inbox.socket);
      expect((await server.api.post('/v1/auth/logout', undefined, { token: alice.accessToken })).status).toBe(
        204,
      );
      expect(await gone).toBe('io server disconnect');
      expect(inbox.of('session.ended')).toEqual([{ reason: 'SESSION_ENDED' }]);
    });

    it("is disconnected when its session is revoked, and a password change ends the other sessions' sockets only", async () => {
      const [alice] = await users(1);
      const login = await server.api.post('/v1/auth/login', { email: alice.email, password: alice.password });
      const other: RegisteredUser = { ...alice, ...login.body };
      const [current, second] = [await connect(alice), await connect(other)];
      const gone = disconnection(second.socket);
      const changed = await server.api.post(
        '/v1/auth/password',
        { currentPassword: alice.password, newPassword: 'a-new-password-0123456789' },
        { token: alice.accessToken },
      );
      expect(changed.status).toBe(204);
      expect(await gone).toBe('io server disconnect');
      await sleep(100);
      expect(current.socket.connected).toBe(true);

      const sessions = await server.api.get('/v1/auth/sessions', { token: alice.accessToken });
      const currentGone = disconnection(current.socket);
      for (const session of sessions.body.data as { id: string }[]) {
        await server.api.delete(`/v1/auth/sessions/${session.id}`, { token: alice.accessToken });
      }
      expect(await currentGone).toBe('io server disconnect');
    });

    it('is disconnected when its token expires, unless it sent a newer token of its session', async () => {
      const [alice, bob] = await users(2);
      const expiring = await connect(alice, shortLived(alice, 2));
      const refreshed = await connect(bob, shortLived(bob, 2));
      const answer = await refreshed.socket
        .timeout(2000)
        .emitWithAck('auth.refresh', { token: bob.accessToken });
      expect(answer).toEqual({ ok: true, expiresAt: expect.any(String) });
      // A token of another user's session is refused, and the socket keeps its own.
      expect(
        await refreshed.socket.timeout(2000).emitWithAck('auth.refresh', { token: alice.accessToken }),
      ).toEqual({
        error: { code: 'UNAUTHENTICATED', detail: expect.any(String) },
      });
      expect(await disconnection(expiring.socket, 4000)).toBe('io server disconnect');
      expect(expiring.of('session.ended')).toEqual([{ reason: 'TOKEN_EXPIRED' }]);
      await sleep(500);
      expect(refreshed.socket.connected).toBe(true);
    });
  });

  it('gives a client that reconnects after a short drop the events it missed', async () => {
    const [alice, bob] = await users(2);
    const chat = await createChat(server.api, alice, [bob]);
    const socket = await connectRealtime(baseUrl, bob.accessToken, { reconnectionDelayMs: 300 });
    sockets.push(socket);
    const inbox = new Inbox(socket);
    const recovered = await dropAndReconnect(socket, async () => {
      await sendMessage(server.api, chat.id, alice, 'while you were away');
    });
    expect(recovered).toBe(true);
    const [missed] = await inbox.next('message.created');
    expect(missed).toMatchObject({ chatId: chat.id, message: { text: 'while you were away' } });
  });

  it('counts sockets and emitted events in /metrics', async () => {
    const [alice, bob] = await users(2);
    const chat = await createChat(server.api, alice, [bob]);
    await connect(bob);
    await sendMessage(server.api, chat.id, alice, 'counted');
    const metrics = await server.api.get('/metrics', { token: METRICS_TOKEN });
    expect(metrics.text).toMatch(/^realtime_connected_sockets [1-9]/m);
    expect(metrics.text).toMatch(/^realtime_events_emitted_total\{event="message.created"\} [1-9]/m);
  });

  it('serves its AsyncAPI document at /docs/asyncapi.yaml', async () => {
    const document = await fetch(`${baseUrl}/docs/asyncapi.yaml`);
    expect(document.status).toBe(200);
    expect(document.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(await document.text()).toMatch(/^asyncapi: 3\.0\.0$/m);
  });
});
