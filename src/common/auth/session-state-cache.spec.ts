import { UserRole } from './roles';
import { CallerSession, SessionStateCache } from './session-state-cache';

const session = (id: string, userId = 'u1'): CallerSession => ({
  id,
  userId,
  role: UserRole.User,
  revokedAt: null,
  expiresAt: new Date(Date.UTC(2027, 0, 1)),
});

describe('SessionStateCache', () => {
  let now = Date.UTC(2026, 10, 25, 12);
  beforeEach(() => jest.spyOn(Date, 'now').mockImplementation(() => now));
  afterEach(() => jest.restoreAllMocks());

  it('answers for the TTL, then no more', () => {
    const cache = new SessionStateCache(5_000);
    cache.remember(session('s1'), cache.epoch);
    expect(cache.get('s1')).toEqual(session('s1'));
    now += 5_000;
    expect(cache.get('s1')).toBeUndefined();
  });

  it('forgets a session, or every session of a user, at once', () => {
    const cache = new SessionStateCache(5_000);
    for (const [id, user] of [
      ['s1', 'u1'],
      ['s2', 'u1'],
      ['s3', 'u2'],
    ]) {
      cache.remember(session(id, user), cache.epoch);
    }
    cache.sessionEnded('s3');
    expect(cache.get('s3')).toBeUndefined();
    cache.userChanged('u1');
    expect([cache.get('s1'), cache.get('s2')]).toEqual([undefined, undefined]);
  });

  it('does not keep what a read that began before a forget found', () => {
    const cache = new SessionStateCache(5_000);
    const epoch = cache.epoch; // the read begins...
    cache.userChanged('u1'); // ...a role change is written and forgotten...
    cache.remember(session('s1'), epoch); // ...the read ends with what it found before
    expect(cache.get('s1')).toBeUndefined();
  });

  it('keeps nothing with a TTL of 0, and at most maxEntries', () => {
    const off = new SessionStateCache(0);
    off.remember(session('s1'), off.epoch);
    expect(off.get('s1')).toBeUndefined();
    const small = new SessionStateCache(5_000, 2);
    for (const id of ['s1', 's2', 's3']) {
      small.remember(session(id), small.epoch);
    }
    expect([small.get('s1'), small.get('s2'), small.get('s3')].map(Boolean)).toEqual([false, true, true]);
  });
});
