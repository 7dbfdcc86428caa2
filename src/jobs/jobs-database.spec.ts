import { Logger } from '@nestjs/common';

import type { SqlExecutor } from '../database/sql-executor';
import { JobsDatabase } from './jobs-database';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/** A database that fails while `down` is set. */
function database(state: { down: boolean }): SqlExecutor {
  return {
    executeSql: () => (state.down ? Promise.reject(refused) : Promise.resolve({ rows: [{ ok: 1 }] })),
  };
}

describe(JobsDatabase.name, () => {
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('passes statements and their failures through', async () => {
    const state = { down: false };
    const jobs = new JobsDatabase(database(state));
    await expect(jobs.executeSql('SELECT 1', [])).resolves.toEqual({ rows: [{ ok: 1 }] });
    state.down = true;
    await expect(jobs.executeSql('SELECT 1', ['some-queue', 2])).rejects.toBe(refused);
  });

  it('logs an outage once when it begins and once when it ends', async () => {
    const state = { down: true };
    const jobs = new JobsDatabase(database(state));
    for (let poll = 0; poll < 3; poll += 1) {
      await jobs.executeSql('SELECT 1').catch(() => undefined);
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/Database unavailable \(connect ECONNREFUSED/);
    state.down = false;
    await jobs.executeSql('SELECT 1');
    await jobs.executeSql('SELECT 1');
    expect(log).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("answers a failed completion of pg-boss's own jobs instead of rejecting, as pg-boss never awaits it", async () => {
    const jobs = new JobsDatabase(database({ down: true }));
    await expect(
      jobs.executeSql('WITH results AS (UPDATE ...)', ['__pgboss__send-it', ['a-job-id'], null]),
    ).resolves.toEqual({ rows: [{ count: '0' }] });
    // Its fetch (queue name and batch size) fails as any statement does; pg-boss catches that one.
    await expect(jobs.executeSql('WITH next AS (...)', ['__pgboss__send-it', 50])).rejects.toBe(refused);
  });
});
