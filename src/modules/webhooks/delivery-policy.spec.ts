import { decide, FAILING_LIMIT_MS, parseSchedule, RetryPolicy } from './delivery-policy';
import type { AttemptResult } from './webhook-sender';

const policy: RetryPolicy = { schedule: parseSchedule('0,5,300'), retryAfterCapSeconds: 3600 };
const now = new Date('2026-12-01T12:00:00Z');
const answer = (status: number, retryAfterSeconds?: number): AttemptResult => ({
  kind: 'response',
  status,
  body: '',
  retryAfterSeconds,
});

describe(decide.name, () => {
  it('succeeds on any 2xx, and fails a 3xx like any other non-2xx', () => {
    expect(decide(answer(204), 1, null, now, policy)).toEqual({ status: 'succeeded' });
    expect(decide(answer(302), 1, null, now, policy)).toEqual({ status: 'pending', delaySeconds: 5 });
  });

  it('waits the scheduled delay of the next attempt, and gives up when the schedule runs out', () => {
    expect(decide(answer(500), 2, null, now, policy)).toEqual({ status: 'pending', delaySeconds: 300 });
    expect(decide({ kind: 'timeout', error: 'slow' }, 3, null, now, policy)).toEqual({ status: 'failed' });
  });

  it('honours a Retry-After longer than the schedule, up to the cap, never a shorter one', () => {
    expect(decide(answer(503, 120), 1, null, now, policy)).toEqual({ status: 'pending', delaySeconds: 120 });
    expect(decide(answer(429, 999_999), 1, null, now, policy)).toEqual({
      status: 'pending',
      delaySeconds: 3600,
    });
    expect(decide(answer(503, 1), 2, null, now, policy)).toEqual({ status: 'pending', delaySeconds: 300 });
  });

  it('disables on a 410, and on a failure after five days of failures', () => {
    expect(decide(answer(410), 1, null, now, policy)).toMatchObject({
      status: 'failed',
      disable: expect.any(String),
    });
    const fiveDaysAgo = new Date(now.getTime() - FAILING_LIMIT_MS);
    expect(decide(answer(500), 1, fiveDaysAgo, now, policy)).toMatchObject({
      status: 'failed',
      disable: expect.any(String),
    });
    const almost = new Date(now.getTime() - FAILING_LIMIT_MS + 1000);
    expect(decide(answer(500), 1, almost, now, policy)).toEqual({ status: 'pending', delaySeconds: 5 });
  });
});
