import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';

import { RealtimeMetrics } from './realtime.metrics';

/**
 * The server-to-client events and their payloads, which each feature adds for itself with `declare
 * module` (src/modules/chats/chats.events.ts); asyncapi.yaml documents each.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ServerEvents {}

/** The room of every socket of a user, on every instance. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** The room of the sockets of one session. */
export function sessionRoom(sessionId: string): string {
  return `session:${sessionId}`;
}

/**
 * How the services' use cases tell people what happened, once it is committed: an event to the
 * rooms of the users named, on every instance (through the Redis adapter with REDIS_URL). Nothing
 * waits on delivery, and nothing fails when nobody is connected, or before the gateway started
 * (commands that build the application without serving it).
 */
@Injectable()
export class RealtimeEvents {
  private server?: Server;

  constructor(private readonly metrics: RealtimeMetrics) {}

  /** Set by the gateway once Socket.IO is up. */
  attach(server: Server): void {
    this.server = server;
  }

  toUsers<E extends keyof ServerEvents>(
    userIds: readonly string[],
    event: E,
    payload: ServerEvents[E],
  ): void {
    this.emit(userIds, event, payload, false);
  }

  /** Dropped for a socket that cannot take it at once, and never replayed on a recovery (typing). */
  volatileToUsers<E extends keyof ServerEvents>(
    userIds: readonly string[],
    event: E,
    payload: ServerEvents[E],
  ): void {
    this.emit(userIds, event, payload, true);
  }

  private emit(userIds: readonly string[], event: string, payload: unknown, volatile: boolean): void {
    if (!this.server || userIds.length === 0) {
      return;
    }
    const rooms = userIds.map(userRoom);
    (volatile ? this.server.volatile : this.server).to(rooms).emit(event, payload);
    this.metrics.emittedOne(event);
  }
}
