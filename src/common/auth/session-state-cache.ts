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
 * usually costs no statement of its own (bench/RESULTS.md, 2026-11-25 11:38). It is the one owner of
 * their invalidation: the services that end a session (`sessionEnded`) or change what a user's
 * sessions may do (`userChanged`: a role, a password, a deletion) report it here once written, and
 * repositories know nothing of it. On this instance such a change takes effect on the next request;
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

  /** The session's state as read moments ago, else as `load` reads it now (and then remembered). */
  async find(id: string, load: (id: string) => Promise<CallerSession | null>): Promise<CallerSession | null> {
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
  sessionEnded(id: string): void {
    this.forgets += 1;
    this.entries.delete(id);
  }

  /** A user's role or password changed, or the user is gone: none of their sessions is taken on trust. */
  userChanged(userId: string): void {
    this.forgets += 1;
    for (const [id, entry] of this.entries) {
      if (entry.session.userId === userId) {
        this.entries.delete(id);
      }
    }
  }
}
