import type { AttemptResult } from './webhook-sender';

/** Five days of nothing but failures disable an endpoint. */
export const FAILING_LIMIT_MS = 5 * 24 * 60 * 60 * 1000;

export interface RetryPolicy {
  /** Seconds before attempt n (index n - 1): WEBHOOK_RETRY_SCHEDULE_S. Its length is the number of attempts. */
  schedule: number[];
  /** The longest Retry-After honoured, in seconds. */
  retryAfterCapSeconds: number;
}

/** What follows an attempt: done, another attempt after a delay, or given up (and maybe the endpoint disabled). */
export type Decision =
  | { status: 'succeeded' }
  | { status: 'pending'; delaySeconds: number }
  | { status: 'failed'; disable?: string };

export function parseSchedule(value: string): number[] {
  return value.split(',').map(Number);
}

/**
 * Decides after attempt number `attempt`. A 2xx succeeds; a 410 gives up and disables the endpoint, as
 * does a failure once the endpoint has failed for FAILING_LIMIT_MS; otherwise the next attempt waits its
 * place in the schedule, or longer when the receiver's Retry-After asks (up to the cap), until the
 * schedule runs out.
 */
export function decide(
  result: AttemptResult,
  attempt: number,
  failingSince: Date | null,
  now: Date,
  policy: RetryPolicy,
): Decision {
  if (result.kind === 'response' && result.status >= 200 && result.status < 300) {
    return { status: 'succeeded' };
  }
  if (result.kind === 'response' && result.status === 410) {
    return { status: 'failed', disable: 'The receiver answered 410 Gone.' };
  }
  if (failingSince && now.getTime() - failingSince.getTime() >= FAILING_LIMIT_MS) {
    return { status: 'failed', disable: 'Every delivery attempt failed for 5 days.' };
  }
  if (attempt >= policy.schedule.length) {
    return { status: 'failed' };
  }
  const retryAfter = result.kind === 'response' ? (result.retryAfterSeconds ?? 0) : 0;
  return {
    status: 'pending',
    delaySeconds: Math.max(policy.schedule[attempt], Math.min(retryAfter, policy.retryAfterCapSeconds)),
  };
}
