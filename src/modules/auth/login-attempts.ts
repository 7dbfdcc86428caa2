import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/config.module';
import { TooManyLoginAttemptsError } from './auth.errors';

const SWEEP_AT = 10_000;

interface Window {
  failures: number;
  resetsAt: number;
}

/**
 * Counts failed logins per account and per client address in a fixed window; past the limit, every
 * login for that account or from that address is refused until the window ends. In memory, so per
 * instance: several instances would keep this in Redis (see DESIGN.md, scale-out).
 */
@Injectable()
export class LoginAttempts {
  private readonly windows = new Map<string, Window>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(config: AppConfig) {
    this.limit = config.get('LOGIN_FAILURE_LIMIT', { infer: true });
    this.windowMs = config.get('LOGIN_FAILURE_WINDOW_MS', { infer: true });
  }

  /** Throws TooManyLoginAttemptsError while the account or the address is over its limit. */
  assertAllowed(email: string, ip: string, now = Date.now()): void {
    const waits = [this.keyOf('account', email), this.keyOf('ip', ip)]
      .map((key) => this.live(key, now))
      .filter((window): window is Window => window !== undefined && window.failures >= this.limit)
      .map((window) => Math.ceil((window.resetsAt - now) / 1000));
    if (waits.length > 0) {
      throw new TooManyLoginAttemptsError(Math.max(...waits));
    }
  }

  recordFailure(email: string, ip: string, now = Date.now()): void {
    if (this.windows.size >= SWEEP_AT) {
      this.sweep(now);
    }
    for (const key of [this.keyOf('account', email), this.keyOf('ip', ip)]) {
      const window = this.live(key, now) ?? { failures: 0, resetsAt: now + this.windowMs };
      window.failures += 1;
      this.windows.set(key, window);
    }
  }

  /** A successful login clears the account's count (not the address's). */
  recordSuccess(email: string): void {
    this.windows.delete(this.keyOf('account', email));
  }

  /** Drops ended windows, so a spray of made-up emails cannot grow the map without bound. */
  private sweep(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.resetsAt <= now) {
        this.windows.delete(key);
      }
    }
  }

  private keyOf(kind: 'account' | 'ip', value: string): string {
    return `${kind}:${value}`;
  }

  private live(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    if (window && window.resetsAt <= now) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }
}
