import { io, type Socket } from 'socket.io-client';

/** A Socket.IO client of the realtime API, connected (or refused) as a real client would be. */
export async function connectRealtime(
  baseUrl: string,
  token?: string,
  options: { reconnectionDelayMs?: number } = {},
): Promise<Socket> {
  const socket = io(baseUrl, {
    path: '/v1/realtime',
    transports: ['websocket'],
    auth: token === undefined ? {} : { token },
    // Only where a test asks: otherwise a refused or ended socket would try again by itself.
    reconnection: options.reconnectionDelayMs !== undefined,
    reconnectionDelay: options.reconnectionDelayMs,
    reconnectionDelayMax: options.reconnectionDelayMs,
    randomizationFactor: 0,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
  return socket;
}

/** The `data` a refused handshake carries. */
export async function refusalOf(baseUrl: string, token?: string): Promise<unknown> {
  try {
    const socket = await connectRealtime(baseUrl, token);
    socket.close();
  } catch (error) {
    return (error as { data?: unknown }).data;
  }
  throw new Error('the connection was accepted');
}

/** Collects every event a socket receives, to wait for one or check that none came. */
export class Inbox {
  readonly events: { event: string; payload: unknown }[] = [];

  constructor(readonly socket: Socket) {
    socket.onAny((event: string, payload: unknown) => this.events.push({ event, payload }));
  }

  of(event: string): unknown[] {
    return this.events.filter((entry) => entry.event === event).map((entry) => entry.payload);
  }

  /** Waits until `count` events named `event` arrived; their payloads. */
  async next(event: string, count = 1, timeoutMs = 3000): Promise<unknown[]> {
    const started = Date.now();
    while (this.of(event).length < count) {
      if (Date.now() - started > timeoutMs) {
        throw new Error(
          `${event} not received ${count} time(s) within ${timeoutMs} ms (got ${this.of(event).length})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.of(event);
  }
}

/** Waits for the socket's disconnection; its reason. */
export function disconnection(socket: Socket, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    if (socket.disconnected) {
      resolve('already disconnected');
      return;
    }
    const timer = setTimeout(() => reject(new Error(`not disconnected within ${timeoutMs} ms`)), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/**
 * Drops the socket's connection as a network would (the client reconnects by itself after its
 * delay), runs `meanwhile` while it is down, and waits for the reconnection; whether the server
 * recovered the connection's state (rooms and missed events).
 */
export async function dropAndReconnect(socket: Socket, meanwhile: () => Promise<void>): Promise<boolean> {
  const down = disconnection(socket);
  socket.io.engine.close();
  await down;
  await meanwhile();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('not reconnected within 3 s')), 3000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return socket.recovered;
}
