import type { UserRole } from './roles';

/** What the session check needs of a session: who, in which role, and whether it still holds. */
export interface CallerSession {
  id: string;
  userId: string;
  role: UserRole;
  revokedAt: Date | null;
  expiresAt: Date;
}

/** What made cached answers stale: one session ended, or anything about a user's sessions changed. */
export type SessionStateChange = { session: string } | { user: string };

/**
 * How changes reach the caches of the other instances (Redis pub/sub, `SessionStateBroadcast`), and
 * theirs this one. Absent with one instance.
 */
export interface SessionStateBus {
  /** False while changes made elsewhere may be missed: the cache is then not used at all. */
  readonly listening: boolean;
  /** Tells every instance, this one included; never throws. */
  publish(change: SessionStateChange): Promise<void>;
  /** `onChange` for every change published; `onResumed` when listening starts again after a gap. */
  listen(onChange: (change: SessionStateChange) => void, onResumed: () => void): void;
}

/** Told of every change a cache learns of (its own instance's and, with a bus, the others'). */
export interface SessionStateObserver {
  changed(change: SessionStateChange): void;
  /** Changes may have been missed (the bus was not listening for a while). */
  resumed(): void;
}

/**
 * The session check's recent answers, kept for SESSION_CACHE_TTL_MS (0: off) so that an authenticated
 * request usually costs no statement of its own (bench/history/2026-11-25.md, 11:38). The services
 * report every change that makes one stale, and with a bus every instance forgets at once
 * (docs/architecture/session-cache.md).
 */
export class SessionStateCache {
  private readonly entries = new Map<string, { session: CallerSession; until: number }>();
  private forgets = 0;
  private readonly observers: SessionStateObserver[] = [];

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly bus?: SessionStateBus,
  ) {
    bus?.listen(
      (change) => this.forget(change),
      () => {
        this.clear();
        for (const observer of this.observers) {
          observer.resumed();
        }
      },
    );
  }

  /**
   * Has `observer` told of every change, as the cache forgets: what else holds on to a session (the
   * realtime sockets) follows the same path, on every instance.
   */
  observe(observer: SessionStateObserver): void {
    this.observers.push(observer);
  }

  /** The session's state as read moments ago, else as `load` reads it now (and then remembered). */
  async find(id: string, load: (id: string) => Promise<CallerSession | null>): Promise<CallerSession | null> {
    if (this.bus && !this.bus.listening) {
      return load(id);
    }
    const cached = this.get(id);
    if (cached) {
      return cached;
    }
    const epoch = this.forgets;
    const session = await load(id);
    if (session) {
      this.remember(session, epoch);
    }
    return session;
  }

  /** Taken before reading a session from the database, handed back to `remember`. */
  get epoch(): number {
    return this.forgets;
  }

  get(id: string): CallerSession | undefined {
    const entry = this.entries.get(id);
    if (entry && entry.until <= Date.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry?.session;
  }

  /** Keeps an answer unless something was forgotten since `epoch`: a read never puts back a forgotten one. */
  remember(session: CallerSession, epoch: number): void {
    if (this.ttlMs === 0 || epoch !== this.forgets) {
      return;
    }
    if (this.entries.size >= this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(session.id, { session, until: Date.now() + this.ttlMs });
  }

  /** A session was revoked. */
  async sessionEnded(id: string): Promise<void> {
    await this.changed({ session: id });
  }

  /** A user's role or password changed, or the user is gone: none of their sessions is taken on trust. */
  async userChanged(userId: string): Promise<void> {
    await this.changed({ user: userId });
  }

  /** Forgets everything (the bus may have missed changes). */
  clear(): void {
    this.forgets += 1;
    this.entries.clear();
  }

  private async changed(change: SessionStateChange): Promise<void> {
    this.forget(change);
    await this.bus?.publish(change);
  }

  private forget(change: SessionStateChange): void {
    this.forgets += 1;
    if ('session' in change) {
      this.entries.delete(change.session);
    } else {
      for (const [id, entry] of this.entries) {
        if (entry.session.userId === change.user) {
          this.entries.delete(id);
        }
      }
    }
    // Once forgotten: an observer that checks the session again reads the database.
    for (const observer of this.observers) {
      observer.changed(change);
    }
  }
}
