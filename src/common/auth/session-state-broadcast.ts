import type { RedisService } from '../redis/redis.service';
import type { SessionStateBus, SessionStateChange } from './session-state-cache';

const CHANNEL = 'session-state';
/** Changes kept while Redis does not take them, at most (the oldest go first). */
const MAX_PENDING = 10_000;

function encode(change: SessionStateChange): string {
  return 'session' in change ? `s:${change.session}` : `u:${change.user}`;
}

/** The changes of a message, one per line; anything else is ignored. */
function decode(message: string): SessionStateChange[] {
  const changes: SessionStateChange[] = [];
  for (const line of message.split('\n')) {
    const id = line.slice(2);
    if (line.startsWith('s:') && id) {
      changes.push({ session: id });
    } else if (line.startsWith('u:') && id) {
      changes.push({ user: id });
    }
  }
  return changes;
}

/**
 * The session cache's bus on Redis pub/sub (`<REDIS_PREFIX>session-state`); a change Redis did not take
 * is published once it does, unless older than the cache's TTL (docs/architecture/session-cache.md).
 */
export class SessionStateBroadcast implements SessionStateBus {
  private pending: { line: string; at: number }[] = [];

  constructor(
    private readonly redis: RedisService,
    private readonly ttlMs: number,
  ) {
    redis.onCommandUp(() => void this.flush());
  }

  get listening(): boolean {
    return this.redis.listening;
  }

  async publish(change: SessionStateChange): Promise<void> {
    const line = encode(change);
    if (!(await this.redis.publish(CHANNEL, line))) {
      this.keep([{ line, at: Date.now() }]);
    }
  }

  listen(onChange: (change: SessionStateChange) => void, onResumed: () => void): void {
    this.redis.subscribe(
      CHANNEL,
      (message) => {
        for (const change of decode(message)) {
          onChange(change);
        }
      },
      onResumed,
    );
  }

  /** Changes kept pending (for tests). */
  get pendingCount(): number {
    return this.pending.length;
  }

  private keep(entries: { line: string; at: number }[]): void {
    this.pending.push(...entries);
    if (this.pending.length > MAX_PENDING) {
      this.pending.splice(0, this.pending.length - MAX_PENDING);
    }
  }

  private async flush(): Promise<void> {
    const cutoff = Date.now() - this.ttlMs;
    const due = this.pending.filter((entry) => entry.at > cutoff);
    this.pending = [];
    if (due.length > 0 && !(await this.redis.publish(CHANNEL, due.map((entry) => entry.line).join('\n')))) {
      this.keep(due);
    }
  }
}
