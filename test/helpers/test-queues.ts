import { Queue } from '@/jobs/queue';

/**
 * Queues of the jobs tests, shared by the test and the instance it runs in a process of its own
 * (test/helpers/job-instance.ts). Short expiries and no retry delay, so that a lost attempt comes
 * back within seconds.
 */
export const STUCK_QUEUE = new Queue<{ n: number }>('test-stuck', {
  retryLimit: 2,
  retryDelaySeconds: 0,
  expireInSeconds: 2,
});

/** A test queue whose jobs run once (no retry), expiring after 10 s. */
export function singleAttemptQueue<Payload extends object>(name: string): Queue<Payload> {
  return new Queue<Payload>(name, { retryLimit: 0, retryDelaySeconds: 0, expireInSeconds: 10 });
}

/** Settings of the test instances that run jobs: quick polling and maintenance, a short grace. */
export const JOB_SETTINGS: Record<string, string> = {
  JOBS_POLL_INTERVAL_MS: '100',
  JOBS_MAINTENANCE_INTERVAL_MS: '1000',
  // A quarter of it (500 ms) is what running jobs get at shutdown before they are handed back.
  SHUTDOWN_GRACE_MS: '2000',
};
