import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Window {
  hits: number;
  /** When the window closes (epoch ms). */
  endsAt: number;
  /** Until when requests are refused, once the limit was passed (epoch ms; 0: not blocked). */
  blockedUntil: number;
}

/**
 * The throttler's counts in fixed windows: one counter per key, so a request costs the same whatever
 * the client's rate. (The package's in-memory storage keeps a timestamp per hit and filters them all
 * on every request: linear in the hits of the window, and `Math.min(...hits)` on a blocked client.)
 * A window opens at a key's first hit and lasts `ttl`; past `limit` hits the key is refused for
 * `blockDuration`. Closed windows are swept at most once per sweep interval, on a request.
 */
@Injectable()
export class FixedWindowThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private nextSweepAt = 0;

  constructor(private readonly sweepIntervalMs = 60_000) {}

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    this.sweep(now);
    const id = `${throttlerName}\0${key}`;
    let window = this.windows.get(id);
    if (!window || (window.endsAt <= now && window.blockedUntil <= now)) {
      window = { hits: 0, endsAt: now + ttl, blockedUntil: 0 };
      this.windows.set(id, window);
    }
    if (window.blockedUntil <= now) {
      window.hits += 1;
      if (window.hits > limit) {
        window.blockedUntil = now + blockDuration;
      }
    }
    return Promise.resolve(windowRecord(window.hits, window.endsAt, window.blockedUntil, now));
  }

  /** How many keys are tracked (for tests). */
  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    this.nextSweepAt = sweepClosed(this.windows, now, this.nextSweepAt, this.sweepIntervalMs);
  }
}

/** What the throttler is told of a window closing at `endsAt` and refused until `blockedUntil` (epoch ms). */
export function windowRecord(
  totalHits: number,
  endsAt: number,
  blockedUntil: number,
  now: number,
): ThrottlerStorageRecord {
  const isBlocked = blockedUntil > now;
  return {
    totalHits,
    timeToExpire: seconds(endsAt - now),
    isBlocked,
    timeToBlockExpire: isBlocked ? seconds(blockedUntil - now) : 0,
  };
}

/**
 * Forgets the windows that are closed and not blocked, when a sweep is due (`now` past `dueAt`);
 * when the next one is.
 */
export function sweepClosed(
  windows: Map<string, { endsAt: number; blockedUntil: number }>,
  now: number,
  dueAt: number,
  intervalMs: number,
): number {
  if (now < dueAt) {
    return dueAt;
  }
  for (const [id, window] of windows) {
    if (window.endsAt <= now && window.blockedUntil <= now) {
      windows.delete(id);
    }
  }
  return now + intervalMs;
}

function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}
