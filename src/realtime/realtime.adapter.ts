import type { IncomingMessage } from 'node:http';

import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Server, ServerOptions } from 'socket.io';

import { Lifecycle } from '../common/lifecycle/lifecycle';
import { AppConfig } from '../config/config.module';
import { RealtimeMetrics } from './realtime.metrics';
import { RealtimeRedis } from './realtime-redis';

/** Where Socket.IO answers, on the HTTP port. */
export const REALTIME_PATH = '/v1/realtime';
/** How long after a drop a client gets the events it missed (connection state recovery). */
export const RECOVERY_WINDOW_MS = 2 * 60_000;
/** The largest message a client may send: a typing event is a few dozen bytes. */
const MAX_MESSAGE_BYTES = 16 * 1024;
/** Entries the shared stream keeps (enough for RECOVERY_WINDOW_MS at several hundred events a second). */
const STREAM_MAX_LEN = 100_000;
const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * Socket.IO on the application's HTTP server, websocket transport only. With REDIS_URL, the
 * Redis streams adapter carries every emit to the other instances and keeps what connection state
 * recovery needs across them (the pub/sub adapter cannot replay missed events); without it, the
 * in-memory adapter of one instance. Redis being down never stops local delivery: the adapter
 * logs the failed publish and emits to this instance's sockets anyway.
 */
export class RealtimeAdapter extends IoAdapter {
  private redis?: RealtimeRedis;

  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const lifecycle = this.app.get(Lifecycle);
    const server = super.createIOServer(port, {
      ...options,
      path: REALTIME_PATH,
      transports: ['websocket'],
      serveClient: false,
      maxHttpBufferSize: MAX_MESSAGE_BYTES,
      // The handshake's middleware runs again on a recovery: a revoked session recovers nothing.
      connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS, skipMiddlewares: false },
      // A draining instance takes no new sockets: the client's retry reaches another instance.
      allowRequest: (_request: IncomingMessage, callback: (error: string | null, allowed: boolean) => void) =>
        callback(null, !lifecycle.draining),
    }) as Server;
    const config = this.app.get(AppConfig);
    const url = config.get('REDIS_URL', { infer: true });
    if (url !== undefined) {
      const prefix = `${config.get('REDIS_PREFIX', { infer: true })}realtime`;
      const metrics = this.app.get(RealtimeMetrics);
      // Connections of its own (the adapter blocks on XREAD), without the command timeout of the
      // shared ones. A publish while Redis is down fails at once (no offline queue, no retry), so
      // local delivery never waits for it; Redis down at start or later is the same outage.
      this.redis = new RealtimeRedis(url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: config.get('REDIS_CONNECT_TIMEOUT_MS', { infer: true }),
        retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS),
      });
      this.redis.on('error', () => metrics.adapterError());
      server.adapter(
        createAdapter(this.redis, {
          streamName: prefix,
          channelPrefix: prefix,
          sessionKeyPrefix: `${prefix}:session:`,
          maxLen: STREAM_MAX_LEN,
          // The reading connection waits on the stream at most this long; also how long it takes
          // to let go once the server closes.
          blockTimeInMs: 1000,
          onlyPlaintext: true,
        }),
      );
    }
    return server;
  }

  /** Runs once, at `app.close()`: the Redis connection goes with the server. */
  override async dispose(): Promise<void> {
    await super.dispose();
    this.redis?.close();
  }
}
