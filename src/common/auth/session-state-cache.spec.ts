import { UserRole } from './roles';
import { CallerSession, SessionStateBus, SessionStateCache, SessionStateChange } from './session-state-cache';

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

  it('forgets a session, or every session of a user, at once', async () => {
    const cache = new SessionStateCache(5_000);
    for (const [id, user] of [
      ['s1', 'u1'],
      ['s2', 'u1'],
      ['s3', 'u2'],
    ]) {
      cache.remember(session(id, user), cache.epoch);
    }
    await cache.sessionEnded('s3');
    expect(cache.get('s3')).toBeUndefined();
    await cache.userChanged('u1');
    expect([cache.get('s1'), cache.get('s2')]).toEqual([undefined, undefined]);
  });

  it('does not keep what a read that began before a forget found', async () => {
    const cache = new SessionStateCache(5_000);
    const epoch = cache.epoch; // the read begins...
    await cache.userChanged('u1'); // ...a role change is written and forgotten...
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

  describe('with a bus', () => {
    /** A bus that delivers what is published to every cache on it, while it listens. */
    function bus() {
      const caches: { onChange: (change: SessionStateChange) => void; onResumed: () => void }[] = [];
      const published: SessionStateChange[] = [];
      const shared = {
        listening: true,
        published,
        resume() {
          shared.listening = true;
          caches.forEach((cache) => cache.onResumed());
        },
      };
      const on = (): SessionStateBus => ({
        get listening() {
          return shared.listening;
        },
        publish(change) {
          published.push(change);
          if (shared.listening) {
            caches.forEach((cache) => cache.onChange(change));
          }
          return Promise.resolve();
        },
        listen(onChange, onResumed) {
          caches.push({ onChange, onResumed });
        },
      });
      return { shared, on };
    }

    it("forgets what another instance's change made stale, at once", async () => {
      const { shared, on } = bus();
      const [mine, theirs] = [
        new SessionStateCache(60_000, 10, on()),
        new SessionStateCache(60_000, 10, on()),
      ];
      theirs.remember(session('s1', 'u1'), theirs.epoch);
      theirs.remember(session('s2', 'u2'), theirs.epoch);
      await mine.sessionEnded('s1');
      await mine.userChanged('u2');
      expect([theirs.get('s1'), theirs.get('s2')]).toEqual([undefined, undefined]);
      expect(shared.published).toEqual([{ session: 's1' }, { user: 'u2' }]);
    });

    it('reads every time while the bus may miss changes, and starts empty when it listens again', async () => {
      const { shared, on } = bus();
      const cache = new SessionStateCache(60_000, 10, on());
      const load = jest.fn((id: string) => Promise.resolve(session(id)));
      await cache.find('s1', load);
      await cache.find('s1', load);
      expect(load).toHaveBeenCalledTimes(1);
      shared.listening = false;
      await cache.find('s1', load);
      await cache.find('s1', load);
      expect(load).toHaveBeenCalledTimes(3);
      shared.resume();
      expect(cache.get('s1')).toBeUndefined();
      await cache.find('s1', load);
      await cache.find('s1', load);
      expect(load).toHaveBeenCalledTimes(4);
    });
  });
});
