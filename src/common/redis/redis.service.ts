import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import { Counter, Gauge, register } from 'prom-client';

import { AppConfig } from '@/config/config.module';

export type RedisConnectionName = 'command' | 'subscriber';

/** Reconnection backs off from 100 ms up to this, so a Redis that comes back is used within a second. */
const MAX_RECONNECT_DELAY_MS = 1000;
/** A command Redis refused (out of memory, a script error) is logged at most this often. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;
const UP = 'redis_up';
const TRANSITIONS = 'redis_transitions_total';

/** One connection and whether the service may use it now. */
class Connection {
  up = false;
  /** Up at least once: later ups are recoveries. */
  wasUp = false;
  /** A command or ping missed its deadline: not used until a probe says whether it is frozen. */
  suspect = false;
  pinging = false;
  /** Why it last failed, for the warning at the transition. */
  lastError = 'not connected yet';

  constructor(
    readonly name: RedisConnectionName,
    readonly client: Redis,
  ) {}

  get usable(): boolean {
    return this.up && !this.suspect;
  }
}

interface Subscription {
  onMessage: (message: string) => void;
  onSubscribed?: () => void;
}

/**
 * Get-or-create in prom-client's default registry, as @willsoto/nestjs-prometheus does: a second
 * application in the same process (the tests' instances) reuses the series instead of failing to
 * register it again. One application per process in production.
 */
function metrics(): { up: Gauge<'connection'>; transitions: Counter<'connection' | 'state'> } {
  return {
    up:
      (register.getSingleMetric(UP) as Gauge<'connection'> | undefined) ??
      new Gauge({
        name: UP,
        help: 'Whether the Redis connection is usable (1) or the service runs on process memory (0)',
        labelNames: ['connection'],
      }),
    transitions:
      (register.getSingleMetric(TRANSITIONS) as Counter<'connection' | 'state'> | undefined) ??
      new Counter({
        name: TRANSITIONS,
        help: 'Redis connections going up or down',
        labelNames: ['connection', 'state'],
      }),
  };
}

/**
 * The Redis server of REDIS_URL, for what instances share but need not keep: one connection for
 * commands, one for pub/sub; without REDIS_URL nothing is created and every user keeps its state in
 * process memory. Fails fast, never waits: no offline queue, no retry, each command bounded by
 * REDIS_COMMAND_TIMEOUT_MS, and a connection that missed a deadline is skipped until a ping clears it
 * (docs/architecture/redis.md).
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  readonly enabled: boolean;
  private readonly prefix: string;
  private readonly logger = new Logger('Redis');
  private readonly connections: Connection[] = [];
  private readonly command?: Connection;
  private readonly subscriber?: Connection;
  private readonly subscriptions = new Map<string, Subscription[]>();
  private readonly commandUpListeners: (() => void)[] = [];
  private readonly metrics?: ReturnType<typeof metrics>;
  private readonly commandTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private watchdog?: NodeJS.Timeout;
  private started = false;
  private closing = false;
  private lastRefusalLogAt = 0;

  constructor(config: AppConfig) {
    const url = config.get('REDIS_URL', { infer: true });
    this.prefix = config.get('REDIS_PREFIX', { infer: true });
    this.commandTimeoutMs = config.get('REDIS_COMMAND_TIMEOUT_MS', { infer: true });
    this.connectTimeoutMs = config.get('REDIS_CONNECT_TIMEOUT_MS', { infer: true });
    this.pingIntervalMs = config.get('REDIS_PING_INTERVAL_MS', { infer: true });
    this.enabled = url !== undefined;
    if (url === undefined) {
      return;
    }
    const options: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // The subscriber subscribes again itself on `ready`, to know when it listens again.
      autoResubscribe: false,
      commandTimeout: this.commandTimeoutMs,
      connectTimeout: this.connectTimeoutMs,
      // A socket closed on a frozen connection waits this long for the peer before it is destroyed.
      disconnectTimeout: this.commandTimeoutMs,
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS),
    };
    this.metrics = metrics();
    // ioredis prefixes keys (also those of EVAL), never channel names: `channel()` does that.
    this.command = this.track('command', new Redis(url, { ...options, keyPrefix: this.prefix }));
    this.subscriber = this.track('subscriber', new Redis(url, options));
  }

  /** The command connection's client, for a library that takes one (use it through `attempt`). */
  get client(): Redis {
    if (!this.command) {
      throw new Error('REDIS_URL is not set');
    }
    return this.command.client;
  }

  /** Whether commands go to Redis now. */
  get available(): boolean {
    return this.command?.usable === true;
  }

  /** Whether every message published on the subscribed channels is received now. */
  get listening(): boolean {
    return this.subscriber?.usable === true;
  }

  /**
   * `work` on the command connection while it is used; undefined at once while it is not, and when
   * the work fails (the caller then does without Redis for this request). `work` must not resolve
   * undefined. After a timeout the next requests skip Redis instead of each waiting the timeout.
   */
  async attempt<T>(work: (client: Redis) => Promise<T>): Promise<T | undefined> {
    const connection = this.command;
    if (!connection?.usable) {
      return undefined;
    }
    try {
      return await work(connection.client);
    } catch (error) {
      // An answer: refused (out of memory, a script error), or not the shape expected.
      if (error instanceof TypeError || (error instanceof Error && error.name === 'ReplyError')) {
        this.reportRefusal(error);
      } else if (error instanceof Error && error.message === 'Command timed out') {
        this.suspect(connection, `a command took over ${this.commandTimeoutMs} ms`);
      }
      // Otherwise the connection is closing or closed: its `close` event takes it down.
      return undefined;
    }
  }

  /** Publishes on `channel` (under REDIS_PREFIX); false when Redis did not take it. */
  async publish(channel: string, message: string): Promise<boolean> {
    return (await this.attempt((client) => client.publish(this.channel(channel), message))) !== undefined;
  }

  /**
   * Hands every message on `channel` (under REDIS_PREFIX) to `onMessage`, and calls `onSubscribed`
   * each time the subscription starts again after the subscriber was down: what was published
   * meanwhile is lost. Register while the application is built (constructors, factories).
   */
  subscribe(channel: string, onMessage: (message: string) => void, onSubscribed?: () => void): void {
    const name = this.channel(channel);
    const subscriptions = this.subscriptions.get(name) ?? [];
    subscriptions.push({ onMessage, onSubscribed });
    this.subscriptions.set(name, subscriptions);
    if (this.started && this.subscriber?.client.status === 'ready') {
      void this.subscribeAll(this.subscriber);
    }
  }

  /**
   * Calls `listener` each time commands go to Redis again after a time they did not: the command
   * connection is up again, or a probe cleared its suspicion (meanwhile `attempt` skipped Redis).
   * Not at the first connection.
   */
  onCommandUp(listener: () => void): void {
    this.commandUpListeners.push(listener);
  }

  /** Connects both connections, waiting for them at most REDIS_CONNECT_TIMEOUT_MS: a start without Redis goes on. */
  async onModuleInit(): Promise<void> {
    if (!this.enabled || this.started) {
      return;
    }
    this.started = true;
    this.watchdog = setInterval(() => {
      for (const connection of this.connections) {
        this.ping(connection);
      }
    }, this.pingIntervalMs);
    this.watchdog.unref();
    for (const connection of this.connections) {
      // A failed first attempt is reported by the events; ioredis goes on retrying.
      connection.client.connect().catch(() => undefined);
    }
    await this.whenUp(this.connectTimeoutMs);
    const down = this.connections.filter((connection) => !connection.up);
    if (down.length > 0) {
      this.logger.warn(
        `Redis does not answer at start (${down.map((c) => `${c.name}: ${c.lastError}`).join('; ')}): ` +
          'limits count in process memory and the session check reads the database until it does',
      );
    }
  }

  /** Closes both connections once, after the HTTP server finished its requests. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.enabled || this.closing) {
      return;
    }
    this.closing = true;
    clearInterval(this.watchdog);
    await Promise.all(
      this.connections.map(async ({ client }) => {
        if (client.status === 'ready') {
          // QUIT is bounded by the command timeout; a frozen connection is then simply dropped.
          await client.quit().catch(() => undefined);
        }
        client.disconnect();
      }),
    );
  }

  private channel(name: string): string {
    return `${this.prefix}${name}`;
  }

  private track(name: RedisConnectionName, client: Redis): Connection {
    const connection = new Connection(name, client);
    this.connections.push(connection);
    this.metrics?.up.set({ connection: name }, 0);
    // Without a listener an `error` event would throw; failures are reported at transitions only.
    client.on('error', (error: Error) => {
      connection.lastError = error.message;
    });
    client.on('close', () => this.mark(connection, false));
    client.on('ready', () => {
      if (name === 'subscriber') {
        void this.subscribeAll(connection);
      } else {
        this.mark(connection, true);
      }
    });
    if (name === 'subscriber') {
      client.on('message', (channel: string, message: string) => this.deliver(channel, message));
    }
    return connection;
  }

  private async subscribeAll(connection: Connection): Promise<void> {
    const channels = [...this.subscriptions.keys()];
    try {
      if (channels.length > 0) {
        await connection.client.subscribe(...channels);
      }
    } catch (error) {
      this.trip(connection, `could not subscribe: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (connection.up) {
      return; // a late subscription on a connection that already listens
    }
    this.mark(connection, true);
    for (const subscription of [...this.subscriptions.values()].flat()) {
      subscription.onSubscribed?.();
    }
  }

  private deliver(channel: string, message: string): void {
    for (const { onMessage } of this.subscriptions.get(channel) ?? []) {
      try {
        onMessage(message);
      } catch (error) {
        // Thrown into ioredis' reply parser it would break the connection: log it, go on.
        this.logger.error(`A message on ${channel} failed: ${String(error)}`);
      }
    }
  }

  /** The watchdog's ping, with the command timeout as its deadline, on a connection in use. */
  private ping(connection: Connection): void {
    if (!connection.usable || connection.pinging) {
      return;
    }
    connection.pinging = true;
    connection.client
      .ping()
      .catch(() => this.suspect(connection, `no answer to a ping within ${this.commandTimeoutMs} ms`))
      .finally(() => {
        connection.pinging = false;
      });
  }

  /** Stops using a connection that missed a deadline, until one more ping says whether it is frozen. */
  private suspect(connection: Connection, reason: string): void {
    if (!connection.usable) {
      return;
    }
    connection.suspect = true;
    connection.client.ping().then(
      () => {
        connection.suspect = false;
        if (connection.usable) {
          this.usedAgain(connection);
        }
      },
      () => {
        connection.suspect = false;
        this.trip(connection, reason);
      },
    );
  }

  /** Takes a connection that stopped answering down, and reopens it. */
  private trip(connection: Connection, reason: string): void {
    if (this.closing) {
      return;
    }
    connection.lastError = reason;
    this.mark(connection, false);
    const { status } = connection.client;
    if (status === 'ready' || status === 'connect') {
      connection.client.disconnect(true);
    }
  }

  private mark(connection: Connection, up: boolean): void {
    if (connection.up === up || this.closing) {
      return;
    }
    connection.up = up;
    connection.suspect = false;
    const { name } = connection;
    this.metrics?.up.set({ connection: name }, up ? 1 : 0);
    this.metrics?.transitions.inc({ connection: name, state: up ? 'up' : 'down' });
    if (!up) {
      this.logger.warn(
        `Redis ${name} connection down (${connection.lastError}): ` +
          (name === 'command'
            ? 'limits count in process memory until it is back'
            : 'the session check reads the database until it listens again'),
      );
      return;
    }
    const reconnected = connection.wasUp;
    connection.wasUp = true;
    connection.lastError = 'connection closed';
    if (reconnected) {
      this.logger.warn(`Redis ${name} connection up again`);
    } else {
      this.logger.log(`Redis ${name} connection up`);
    }
    if (reconnected) {
      this.usedAgain(connection);
    }
  }

  private usedAgain(connection: Connection): void {
    if (connection.name === 'command') {
      for (const listener of this.commandUpListeners) {
        listener();
      }
    }
  }

  private whenUp(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const deadline = Date.now() + timeoutMs;
      const check = (): void => {
        if (this.connections.every((connection) => connection.up) || Date.now() >= deadline) {
          resolve();
        } else {
          setTimeout(check, 10).unref();
        }
      };
      check();
    });
  }

  private reportRefusal(error: Error): void {
    const now = Date.now();
    if (now - this.lastRefusalLogAt >= REFUSAL_LOG_INTERVAL_MS) {
      this.lastRefusalLogAt = now;
      this.logger.error(`Redis refused a command, done without it: ${error.message}`);
    }
  }
}
