import { setTimeout as sleep } from 'node:timers/promises';

import { Injectable, Optional } from '@nestjs/common';

import { RedisService } from '@/common/redis/redis.service';
import { AppConfig } from '@/config/config.module';

import { TooManyLoginAttemptsError } from './auth.errors';
import { ACCOUNT_SLOT_MS, type LoginLimits, loginLimits, MAX_DELAY_MS } from './login-limits';
import { SharedLoginWindows } from './shared-login-windows';

const SWEEP_AT = 10_000;

interface Window {
  failures: number;
  resetsAt: number;
}

/**
 * Failed-login protection: counts per account and address, per account (its attempts then wait their
 * turn) and per address, so guessing is slowed and nobody can lock somebody else out. In Redis with
 * REDIS_URL, in process memory while it is down (docs/architecture/login-limits.md).
 */
@Injectable()
export class LoginAttempts {
  private readonly memory: MemoryLoginWindows;
  private readonly shared?: SharedLoginWindows;

  constructor(config: AppConfig, @Optional() redis?: RedisService) {
    const limits = loginLimits(config);
    this.memory = new MemoryLoginWindows(limits);
    this.shared = redis?.enabled ? new SharedLoginWindows(redis, limits) : undefined;
  }

  /**
   * Resolves when an attempt for `email` from `ip` may go on (after a delay while the account is over
   * its limit); throws TooManyLoginAttemptsError while the pair or the address is over its limit.
   */
  async waitForTurn(email: string, ip: string): Promise<void> {
    const delay = await this.reserve(email, ip);
    if (delay > 0) {
      await sleep(delay);
    }
  }

  /** The delay before the attempt may go on, reserving its slot; rejects when it is refused. */
  async reserve(email: string, ip: string): Promise<number> {
    const turn = await this.shared?.reserve(email, ip);
    if (turn === undefined) {
      return this.memory.reserve(email, ip);
    }
    if (turn.refusedForMs !== undefined) {
      throw new TooManyLoginAttemptsError(Math.max(1, Math.ceil(turn.refusedForMs / 1000)));
    }
    return turn.delayMs;
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    this.memory.recordFailure(email, ip);
    await this.shared?.recordFailure(email, ip);
  }

  /** A successful login clears the account's counts (not the address's). */
  async recordSuccess(email: string, ip: string): Promise<void> {
    this.memory.recordSuccess(email, ip);
    await this.shared?.recordSuccess(email, ip);
  }
}

/** The three counts in this process's memory: all there is with one instance. */
export class MemoryLoginWindows {
  private readonly windows = new Map<string, Window>();
  private readonly nextSlot = new Map<string, number>();

  constructor(private readonly limits: LoginLimits) {}

  /** The delay before the attempt may go on, reserving its slot; throws when it is refused. */
  reserve(email: string, ip: string, now = Date.now()): number {
    for (const [key, limit] of [
      [this.keyOf('pair', `${ip} ${email}`), this.limits.pair],
      [this.keyOf('ip', ip), this.limits.address],
    ] as const) {
      const window = this.live(key, now);
      if (window && window.failures >= limit) {
        throw new TooManyLoginAttemptsError(Math.ceil((window.resetsAt - now) / 1000));
      }
    }
    const account = this.live(this.keyOf('account', email), now);
    if (!account || account.failures < this.limits.account) {
      return 0;
    }
    const slot = Math.max(now, this.nextSlot.get(email) ?? 0);
    if (slot - now > MAX_DELAY_MS) {
      throw new TooManyLoginAttemptsError(Math.ceil((slot - now - MAX_DELAY_MS) / 1000));
    }
    this.nextSlot.set(email, slot + ACCOUNT_SLOT_MS);
    return slot - now;
  }

  recordFailure(email: string, ip: string, now = Date.now()): void {
    if (this.windows.size >= SWEEP_AT) {
      this.sweep(now);
    }
    const keys = [this.keyOf('pair', `${ip} ${email}`), this.keyOf('account', email), this.keyOf('ip', ip)];
    for (const key of keys) {
      const window = this.live(key, now) ?? { failures: 0, resetsAt: now + this.limits.windowMs };
      window.failures += 1;
      this.windows.set(key, window);
    }
  }

  recordSuccess(email: string, ip: string): void {
    this.windows.delete(this.keyOf('account', email));
    this.windows.delete(this.keyOf('pair', `${ip} ${email}`));
    this.nextSlot.delete(email);
  }

  /** Drops ended windows, so a spray of made-up emails cannot grow the maps without bound. */
  private sweep(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.resetsAt <= now) {
        this.windows.delete(key);
      }
    }
    for (const [email, slot] of this.nextSlot) {
      if (slot <= now) {
        this.nextSlot.delete(email);
      }
    }
  }

  private keyOf(kind: 'pair' | 'account' | 'ip', value: string): string {
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
