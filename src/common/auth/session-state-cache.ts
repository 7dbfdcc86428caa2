import type { UserRole } from './roles';

/** What the session check needs of a session: who, in which role, and whether it still holds. */
export interface CallerSession {
  id: string;
  userId: string;
  role: UserRole;
  revokedAt: Date | null;
  expiresAt: Date;
}

/**
 * The session check's recent answers, kept for SESSION_CACHE_TTL_MS so that an authenticated request
 * usually costs no statement of its own (bench/RESULTS.md). Every write that ends a session or changes
 * a role on this instance forgets the entries concerned at once (the repositories do it), so here a
 * revocation, a password change, a role change or a deleted user takes effect on the next request;
 * one made by another instance, or outside the service, within the TTL. 0 turns the cache off.
 *
 * A read that began before a forget must not put back what it read: `epoch` changes on every forget,
 * and `remember` keeps an answer only if no forget happened since the read began.
 */
export class SessionStateCache {
  private readonly entries = new Map<string, { session: CallerSession; until: number }>();
  private forgets = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

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

  remember(session: CallerSession, epoch: number): void {
    if (this.ttlMs === 0 || epoch !== this.forgets) {
      return;
    }
    if (this.entries.size >= this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(session.id, { session, until: Date.now() + this.ttlMs });
  }

  forgetSession(id: string): void {
    this.forgets += 1;
    this.entries.delete(id);
  }

  forgetUser(userId: string): void {
    this.forgets += 1;
    for (const [id, entry] of this.entries) {
      if (entry.session.userId === userId) {
        this.entries.delete(id);
      }
    }
  }
}
