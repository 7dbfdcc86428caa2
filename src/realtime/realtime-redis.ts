import Redis, { type Command, type RedisOptions } from 'ioredis';

type WriteableStream = Parameters<Redis['sendCommand']>[1];

/**
 * The Socket.IO streams adapter's ioredis. The adapter drops the reply of some commands (SUBSCRIBE,
 * PUBLISH of an ephemeral message, SET of a recoverable session): while Redis is down each failure
 * would be an unhandled rejection, which ends the process. Every reply here is marked handled (a
 * caller that awaits it still gets the error). The adapter's copies (the XREAD loop, the subscriber)
 * wait for Redis instead of failing, so a subscription asked for while Redis is down is made when it
 * comes; they are closed with this client, since the adapter cannot end a copy still waiting.
 */
export class RealtimeRedis extends Redis {
  private readonly copies: Redis[] = [];
  private ended = false;

  override sendCommand(command: Command, stream?: WriteableStream): unknown {
    const reply = super.sendCommand(command, stream);
    if (reply instanceof Promise) {
      reply.catch(() => undefined);
    }
    return reply;
  }

  override duplicate(override?: Partial<RedisOptions>): Redis {
    const copy = new RealtimeRedis({
      ...this.options,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      ...override,
    });
    this.copies.push(copy);
    return copy;
  }

  /** Once: ending a connection again waits ioredis' disconnectTimeout for a socket already closed. */
  override disconnect(reconnect = false): void {
    if (!reconnect) {
      if (this.ended) {
        return;
      }
      this.ended = true;
    }
    super.disconnect(reconnect);
  }

  /** Closes this connection and its copies, failing what they still wait for. */
  close(): void {
    for (const copy of this.copies.splice(0)) {
      copy.disconnect();
    }
    this.disconnect();
  }
}
