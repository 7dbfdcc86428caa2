import { FixedWindowThrottlerStorage } from './throttler-storage';

describe('FixedWindowThrottlerStorage', () => {
  const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
  let now = T0;
  beforeEach(() => {
    now = T0;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('counts hits in a window and blocks past the limit until the block ends', async () => {
    const storage = new FixedWindowThrottlerStorage();
    for (let hit = 1; hit <= 3; hit += 1) {
      expect(await storage.increment('ip', 60_000, 3, 30_000, 'default')).toEqual({
        totalHits: hit,
        timeToExpire: 60,
        isBlocked: false,
        timeToBlockExpire: 0,
      });
    }
    now += 10_000;
    expect(await storage.increment('ip', 60_000, 3, 30_000, 'default')).toMatchObject({
      totalHits: 4,
      isBlocked: true,
      timeToBlockExpire: 30,
    });
    now += 29_000;
    expect(await storage.increment('ip', 60_000, 3, 30_000, 'default')).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 1,
    });
    // The block is over but the window is not: the next hit passes the limit again.
    now += 1_000;
    expect(await storage.increment('ip', 60_000, 3, 30_000, 'default')).toMatchObject({ isBlocked: true });
  });

  it('opens a new window once the last one closed', async () => {
    const storage = new FixedWindowThrottlerStorage();
    await storage.increment('ip', 1_000, 1, 1_000, 'default');
    expect(await storage.increment('ip', 1_000, 1, 1_000, 'default')).toMatchObject({ isBlocked: true });
    now += 1_000;
    expect(await storage.increment('ip', 1_000, 1, 1_000, 'default')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('keeps throttlers and keys apart', async () => {
    const storage = new FixedWindowThrottlerStorage();
    await storage.increment('a', 60_000, 1, 60_000, 'default');
    expect(await storage.increment('a', 60_000, 1, 60_000, 'auth')).toMatchObject({ isBlocked: false });
    expect(await storage.increment('b', 60_000, 1, 60_000, 'default')).toMatchObject({ isBlocked: false });
    expect(await storage.increment('a', 60_000, 1, 60_000, 'default')).toMatchObject({ isBlocked: true });
  });

  it('forgets closed windows on a later request', async () => {
    const storage = new FixedWindowThrottlerStorage(5_000);
    await storage.increment('a', 1_000, 10, 1_000, 'default');
    await storage.increment('b', 1_000, 10, 1_000, 'default');
    expect(storage.size).toBe(2);
    now += 5_000;
    await storage.increment('c', 1_000, 10, 1_000, 'default');
    expect(storage.size).toBe(1);
  });
});
