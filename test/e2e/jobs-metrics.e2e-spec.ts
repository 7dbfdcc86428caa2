import { setTimeout as sleep } from 'node:timers/promises';

import { JobsService } from '@/jobs/jobs.service';

import { METRICS_TOKEN, useTestApp } from '../helpers/test-app';
import { JOB_SETTINGS, singleAttemptQueue } from '../helpers/test-queues';

/** The value of one series in a scrape, or undefined when the scrape has no such line. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('jobs in /metrics', () => {
  const working = useTestApp(JOB_SETTINGS);
  const sending = useTestApp({ ...JOB_SETTINGS, JOBS_WORKERS: 'false' });
  const scrape = async (server: typeof working) =>
    (await server.api.get('/metrics', { token: METRICS_TOKEN })).text;

  it('counts the failed attempts and times every attempt, per queue', async () => {
    const queue = singleAttemptQueue<{ fail: boolean }>('test-metrics');
    const jobs = working.app.get(JobsService);
    await jobs.register(queue, ({ fail }) => {
      if (fail) {
        throw new Error('this one fails');
      }
    });
    const ids = [await jobs.send(queue, { fail: true }), await jobs.send(queue, { fail: false })];
    const settled = async () => {
      const states = await Promise.all(ids.map(async (id) => (await jobs.find(queue, id))?.state));
      return states.join() === 'failed,completed';
    };
    const deadline = Date.now() + 10_000;
    while (!(await settled()) && Date.now() < deadline) {
      await sleep(50);
    }
    expect(await settled()).toBe(true);

    const text = await scrape(working);
    expect(sample(text, 'jobs_failures_total{queue="test-metrics"}')).toBe(1);
    expect(sample(text, 'jobs_duration_seconds_count{queue="test-metrics"}')).toBe(2);
    expect(sample(text, 'jobs_queue_depth{queue="test-metrics"}')).toBe(0);
  });

  it('reports the jobs waiting in each queue, and runs none where JOBS_WORKERS is off', async () => {
    const queue = singleAttemptQueue<{ n: number }>('test-depth');
    const jobs = sending.app.get(JobsService);
    const ran: number[] = [];
    await jobs.register(queue, ({ n }) => {
      ran.push(n);
    });
    for (let n = 0; n < 3; n += 1) {
      await jobs.send(queue, { n });
    }
    await sleep(500); // five poll intervals: a worker would have taken them
    expect(ran).toEqual([]);
    expect(sample(await scrape(sending), 'jobs_queue_depth{queue="test-depth"}')).toBe(3);
  });
});
