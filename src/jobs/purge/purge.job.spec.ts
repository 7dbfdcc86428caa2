import { Logger } from '@nestjs/common';

import type { Clock } from '@/common/time/clock';
import type { AppConfig } from '@/config/config.module';
import { strictFake } from '@test/helpers/strict-fake';

import type { JobsService } from '../jobs.service';
import type { JobHandler } from '../queue';
import { PURGE_BATCH, PURGE_QUEUE, PurgeJob } from './purge.job';
import { type DeleteBatch, Purges } from './purges';

const NOW = new Date('2026-01-01T00:00:00Z');
const clock = strictFake<Clock>({ now: () => NOW });
const config = strictFake<AppConfig>({
  get: (name: string) => (name === 'PURGE_CRON' ? '*/10 * * * *' : undefined),
});

/** A purge that deletes these counts, one per batch, and keeps the arguments of each call. */
function batches(...counts: number[]): DeleteBatch & { calls: [Date, number][] } {
  const calls: [Date, number][] = [];
  const deleteBatch = (now: Date, limit: number) => {
    calls.push([now, limit]);
    const count = counts.shift();
    if (count === undefined) {
      throw new Error('A batch more than the test expected');
    }
    return Promise.resolve(count);
  };
  return Object.assign(deleteBatch, { calls });
}

function purgeJob(purges: Purges, jobs = strictFake<JobsService>({})): PurgeJob {
  return new PurgeJob(jobs, purges, clock, config);
}

/** Purges whose `sessions` purge aborts the attempt during its first batch (of two full ones). */
function abortedDuringSessions() {
  const attempt = new AbortController();
  const purges = new Purges();
  const sessions = batches(PURGE_BATCH, PURGE_BATCH);
  purges.register('sessions', (now, limit) => {
    attempt.abort();
    return sessions(now, limit);
  });
  return { attempt, purges, sessions };
}

describe(PurgeJob.name, () => {
  let log: jest.SpyInstance;

  beforeEach(() => {
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('runs each purge in batches until one is short, and reports what each deleted by its name', async () => {
    const purges = new Purges();
    const sessions = batches(PURGE_BATCH, PURGE_BATCH, 3);
    const records = batches(0);
    purges.register('sessions', sessions);
    purges.register('records', records);

    await expect(purgeJob(purges).run()).resolves.toEqual({ sessions: 2 * PURGE_BATCH + 3, records: 0 });
    expect(sessions.calls).toEqual([
      [NOW, PURGE_BATCH],
      [NOW, PURGE_BATCH],
      [NOW, PURGE_BATCH],
    ]);
    expect(records.calls).toEqual([[NOW, PURGE_BATCH]]);
  });

  it('stops after the batch in progress once the attempt is aborted, leaving the next purges for the next run', async () => {
    const { attempt, purges, sessions } = abortedDuringSessions();
    const records = batches();
    purges.register('records', records);

    await expect(purgeJob(purges).run(attempt.signal)).resolves.toEqual({ sessions: PURGE_BATCH });
    expect(sessions.calls).toHaveLength(1);
    expect(records.calls).toHaveLength(0);
  });

  it("logs one line naming each purge's count, and nothing when nothing went", async () => {
    const purges = new Purges();
    purges.register('sessions', batches(2, 0));
    purges.register('records', batches(0, 0));
    const job = purgeJob(purges);

    await job.run();
    expect(log.mock.calls).toEqual([['Purged sessions: 2, records: 0']]);
    await job.run();
    expect(log).toHaveBeenCalledTimes(1);
  });

  it('schedules its queue on PURGE_CRON; a job runs the purges with its signal', async () => {
    const handlers: JobHandler<object>[] = [];
    const schedules: unknown[] = [];
    const jobs = strictFake<JobsService>({
      register: (queue, handler) => {
        expect(queue).toBe(PURGE_QUEUE);
        handlers.push(handler as JobHandler<object>);
        return Promise.resolve();
      },
      schedule: (queue, cron, data) => {
        schedules.push([queue.name, cron, data]);
        return Promise.resolve();
      },
    });
    const { attempt, purges, sessions } = abortedDuringSessions();
    await purgeJob(purges, jobs).onModuleInit();
    expect(schedules).toEqual([['purge-expired', '*/10 * * * *', {}]]);

    await handlers[0]({}, { id: 'a-job', signal: attempt.signal });
    expect(sessions.calls).toHaveLength(1);
  });
});

describe(Purges.name, () => {
  it('refuses a second purge under a name already registered', () => {
    const purges = new Purges();
    purges.register('sessions', batches());
    expect(() => purges.register('sessions', batches())).toThrow('Purge sessions is registered twice');
  });
});
