import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { isUUID } from 'class-validator';
import type { Server, Socket } from 'socket.io';

import { InvalidAccessTokenError } from '@/common/auth/auth.errors';
import type { SessionCaller } from '@/common/auth/auth-user';
import { SessionStateCache, type SessionStateChange } from '@/common/auth/session-state-cache';
import { DomainError } from '@/common/errors/domain-error';
import { Lifecycle } from '@/common/lifecycle/lifecycle';
import { isDatabaseUnavailable } from '@/database/database-unavailable';
import { RealtimeEvents, sessionRoom, userRoom } from '@/realtime/realtime.events';
import { RealtimeMetrics } from '@/realtime/realtime.metrics';

import { AuthService } from '../auth/auth.service';
import { ChatsService } from './chats.service';

/** The answer to a client's event: `{ ok: true }` or `{ error: { code, detail } }`. */
export type Ack = { ok: true; expiresAt?: string } | { error: { code: string; detail: string } };

/** What a socket carries from its handshake (kept across a connection state recovery). */
interface SocketData {
  userId: string;
  sessionId: string;
  role: SessionCaller['role'];
  /** When the access token it authenticated with expires (epoch ms). */
  expiresAt: number;
}

/** Typing events a socket may send per window. */
export const TYPING_LIMIT = 10;
export const TYPING_WINDOW_MS = 10_000;
/** What a client is told to wait before reconnecting when this instance shuts down. */
const RECONNECT_AFTER_MS = 1000;
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const CLIENT_EVENTS = new Set(['chat.typing', 'auth.refresh']);

function failure(code: string, detail: string): Ack {
  return { error: { code, detail } };
}

/** A handshake refused: Socket.IO hands `data` to the client's `connect_error`. */
function refusal(code: string, detail: string): Error & { data: { code: string; detail: string } } {
  return Object.assign(new Error(detail), { data: { code, detail } });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The only field of a payload that must be exactly `{ <field>: string }`; else why not. */
function onlyString(body: unknown, field: string): string | { problem: string } {
  if (!isObject(body)) {
    return { problem: `the payload must be an object { ${field} }` };
  }
  const extra = Object.keys(body).find((key) => key !== field);
  if (extra !== undefined) {
    return { problem: `${extra.slice(0, 64)} is not a field of this event` };
  }
  const value = body[field];
  return typeof value === 'string' && value.length > 0 ? value : { problem: `${field} must be a string` };
}

/**
 * Socket.IO at `/v1/realtime` (see asyncapi.yaml). Nest runs none of the application's guards,
 * pipes or filters here, so this gateway does their work itself: the handshake's token is checked as
 * the HTTP guard checks it, every client event is validated and answered with an ack (never a
 * thrown error), and a socket whose session ends, whose user's sessions change, or whose token
 * expires is disconnected. Events to clients come from the services (`RealtimeEvents`), not from here.
 */
@WebSocketGateway()
export class ChatsGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown
{
  private readonly logger = new Logger('Realtime');
  private server?: Server;
  private readonly expiryTimers = new WeakMap<Socket, NodeJS.Timeout>();
  private readonly typingWindows = new WeakMap<Socket, { count: number; endsAt: number }>();

  constructor(
    private readonly auth: AuthService,
    private readonly chats: ChatsService,
    private readonly events: RealtimeEvents,
    private readonly metrics: RealtimeMetrics,
    private readonly sessions: SessionStateCache,
    private readonly lifecycle: Lifecycle,
  ) {}

  afterInit(server: Server): void {
    this.server = server;
    this.events.attach(server);
    server.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (error: unknown) => next(this.refusalOf(error)),
      );
    });
    // Every instance learns of every session change (Redis pub/sub with REDIS_URL) and checks its own
    // sockets of that session or user again; after a gap in which changes may have been missed, all.
    this.sessions.observe({
      changed: (change) => void this.recheck(this.socketsOf(change)),
      resumed: () => void this.recheck([...server.sockets.sockets.values()]),
    });
    this.lifecycle.onDrain(() => this.letGo());
  }

  handleConnection(socket: Socket): void {
    this.metrics.connected();
    const data = socket.data as SocketData;
    // A recovered socket is back in its rooms already; joining again changes nothing.
    void socket.join([userRoom(data.userId), sessionRoom(data.sessionId)]);
    this.armExpiry(socket);
    if (!socket.recovered) {
      // A client recovers missed events only from the offset of an event it received: one at once.
      this.server
        ?.to(socket.id)
        .emit('session.ready', { userId: data.userId, expiresAt: new Date(data.expiresAt).toISOString() });
    }
    socket.onAny((event: string, ...args: unknown[]) => {
      const ack = args.at(-1);
      if (!CLIENT_EVENTS.has(event) && typeof ack === 'function') {
        (ack as (answer: Ack) => void)(
          failure('UNKNOWN_EVENT', `${String(event).slice(0, 64)} is not an event this server takes`),
        );
      }
    });
  }

  handleDisconnect(socket: Socket): void {
    this.metrics.disconnected();
    clearTimeout(this.expiryTimers.get(socket));
  }

  /** `chat.typing { chatId }`: the chat's other participants get `chat.typing`, volatile. */
  @SubscribeMessage('chat.typing')
  typing(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<Ack> {
    return this.answer(socket, async (caller) => {
      // Every typing event counts, a malformed one too.
      if (!this.takeTyping(socket)) {
        return failure(
          'RATE_LIMITED',
          `At most ${TYPING_LIMIT} typing events per ${TYPING_WINDOW_MS / 1000} s`,
        );
      }
      const chatId = onlyString(body, 'chatId');
      if (typeof chatId !== 'string' || !isUUID(chatId)) {
        return failure(
          'VALIDATION_FAILED',
          typeof chatId === 'string' ? 'chatId must be a UUID' : chatId.problem,
        );
      }
      await this.chats.typing(caller, chatId);
      return { ok: true };
    });
  }

  /**
   * `auth.refresh { token }`: a newer access token of the same session, so the socket stays
   * connected past the expiry of the one it connected with.
   */
  @SubscribeMessage('auth.refresh')
  refresh(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<Ack> {
    return this.answer(socket, async () => {
      const token = onlyString(body, 'token');
      if (typeof token !== 'string') {
        return failure('VALIDATION_FAILED', token.problem);
      }
      const data = socket.data as SocketData;
      const { caller, expiresAt } = await this.auth.authenticateToken(token);
      if (caller.sessionId !== data.sessionId) {
        return failure('UNAUTHENTICATED', 'The token is of another session');
      }
      data.expiresAt = expiresAt;
      data.role = caller.role;
      this.armExpiry(socket);
      return { ok: true, expiresAt: new Date(expiresAt).toISOString() };
    });
  }

  /** Shutdown: sockets are told to come back, and closed (the client reconnects, to another instance). */
  beforeApplicationShutdown(): void {
    this.letGo();
  }

  private letGo(): void {
    if (!this.server) {
      return;
    }
    this.server.local.emit('server.shutdown', { reconnectAfterMs: RECONNECT_AFTER_MS });
    // The connection closed under the socket (once what was written is sent), not a Socket.IO
    // disconnect, which clients take as final: they reconnect by themselves.
    for (const socket of this.server.sockets.sockets.values()) {
      socket.conn.close();
    }
  }

  /** Checks the handshake's token; the socket's data on success. */
  private async authenticate(socket: Socket): Promise<void> {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0) {
      throw new InvalidAccessTokenError('missing');
    }
    const { caller, expiresAt } = await this.auth.authenticateToken(token);
    const data: SocketData = {
      userId: caller.id,
      sessionId: caller.sessionId,
      role: caller.role,
      expiresAt,
    };
    socket.data = data;
  }

  private refusalOf(error: unknown): Error {
    if (error instanceof DomainError) {
      return refusal(error.code, error.message);
    }
    if (isDatabaseUnavailable(error)) {
      return refusal('DATABASE_UNAVAILABLE', 'The database is not reachable: try again shortly');
    }
    this.logger.error(error instanceof Error ? error.stack : String(error));
    return refusal('INTERNAL_ERROR', 'The connection could not be accepted');
  }

  /** Runs a client event for the socket's caller; its answer, or the error as an answer. */
  private async answer(socket: Socket, work: (caller: SessionCaller) => Promise<Ack>): Promise<Ack> {
    const data = socket.data as SocketData;
    if (data.expiresAt <= Date.now()) {
      this.end(socket, 'TOKEN_EXPIRED');
      return failure('UNAUTHENTICATED', 'The access token expired');
    }
    try {
      return await work({ kind: 'user', id: data.userId, role: data.role, sessionId: data.sessionId });
    } catch (error) {
      if (error instanceof DomainError) {
        // The events' codes are the generic ones asyncapi.yaml lists (a chat of others: NOT_FOUND).
        return failure(error.kind === 'not_found' ? 'NOT_FOUND' : error.code, error.message);
      }
      if (isDatabaseUnavailable(error)) {
        return failure('DATABASE_UNAVAILABLE', 'The database is not reachable: try again shortly');
      }
      this.logger.error(error instanceof Error ? error.stack : String(error));
      return failure('INTERNAL_ERROR', 'The event could not be handled');
    }
  }

  private takeTyping(socket: Socket): boolean {
    const now = Date.now();
    let window = this.typingWindows.get(socket);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + TYPING_WINDOW_MS };
      this.typingWindows.set(socket, window);
    }
    window.count += 1;
    return window.count <= TYPING_LIMIT;
  }

  private armExpiry(socket: Socket): void {
    clearTimeout(this.expiryTimers.get(socket));
    const left = (socket.data as SocketData).expiresAt - Date.now();
    const timer = setTimeout(
      () => this.end(socket, 'TOKEN_EXPIRED'),
      Math.min(Math.max(left, 0), MAX_TIMER_MS),
    );
    timer.unref();
    this.expiryTimers.set(socket, timer);
  }

  /** Tells the client why, then disconnects it: a server disconnect, so the client does not retry by itself. */
  private end(socket: Socket, reason: 'TOKEN_EXPIRED' | 'SESSION_ENDED'): void {
    // Local: with connection state recovery `socket.emit` is a broadcast that the Redis adapter
    // publishes first, so it would leave after the disconnection; a local one is written at once.
    this.server?.local.to(socket.id).emit('session.ended', { reason });
    socket.disconnect();
  }

  /** This instance's sockets of the session, or of the user, a change is about. */
  private socketsOf(change: SessionStateChange): Socket[] {
    if (!this.server) {
      return [];
    }
    const room = 'session' in change ? sessionRoom(change.session) : userRoom(change.user);
    const ids = this.server.sockets.adapter.rooms.get(room) ?? new Set<string>();
    return [...ids].flatMap((id) => this.server?.sockets.sockets.get(id) ?? []);
  }

  /**
   * Checks each socket's session again, as a request would (the cache forgot it already), and
   * disconnects those whose session no longer holds. A database that does not answer keeps them.
   */
  private async recheck(sockets: Socket[]): Promise<void> {
    await Promise.all(
      sockets.map(async (socket) => {
        const data = socket.data as SocketData;
        try {
          await this.auth.authenticate({
            typ: 'access',
            sub: data.userId,
            sid: data.sessionId,
            exp: Math.floor(data.expiresAt / 1000),
          });
        } catch (error) {
          if (error instanceof InvalidAccessTokenError) {
            this.end(socket, 'SESSION_ENDED');
          }
        }
      }),
    );
  }
}
