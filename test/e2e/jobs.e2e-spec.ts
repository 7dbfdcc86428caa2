import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PrismaService } from 'nestjs-prisma';

import { JobsService } from '@/jobs/jobs.service';
import { Queue } from '@/jobs/queue';

import { startServer, TEST_SETTINGS } from '../helpers/test-app';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { JOB_SETTINGS, singleAttemptQueue, STUCK_QUEUE } from '../helpers/test-queues';
import { waitFor } from '../helpers/wait-for';

// Real processes start here (seconds each on a busy machine): past the suite's 15 s default.
jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..');

/** An instance of the application on `database`, with its jobs service at hand. */
async function startInstance(database: TestDatabase): Promise<{
  app: NestFastifyApplication;
  jobs: JobsService;
  prisma: PrismaService;
}> {
  const { app } = await startServer({ ...database.settings, ...JOB_SETTINGS });
  return { app, jobs: app.get(JobsService), prisma: app.get(PrismaService) };
}

/** test/helpers/job-instance.ts in a process of its own, once its handler has started a job. */
async function startStuckProcess(database: TestDatabase): Promise<{ child: ChildProcess; jobId: string }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'test/helpers/job-instance.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...TEST_SETTINGS,
      ...database.settings,
      ...JOB_SETTINGS,
      NODE_OPTIONS: '',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const started = () => /^started (\S+)$/m.exec(output)?.[1];
  await waitFor(
    () => {
      if (child.exitCode !== null) {
        throw new Error(`the instance exited:\n${output}`);
      }
      return started() !== undefined;
    },
    'the instance in its own process to start the job',
    45_000,
  );
  return { child, jobId: started()! };
}

describe('jobs', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('never runs a job enqueued in a transaction that rolled back', async () => {
    const queue = singleAttemptQueue<{ label: string }>('test-rollback');
    const instance = await startInstance(database);
    try {
      const ran: string[] = [];
      await instance.jobs.register(queue, ({ label }) => {
        ran.push(label);
      });
      let rolledBack: string | undefined;
      await expect(
        instance.prisma.$transaction(async (tx) => {
          rolledBack = await instance.jobs.send(queue, { label: 'rolled back' }, { transaction: tx });
          throw new Error('the change fails');
        }),
      ).rejects.toThrow('the change fails');
      const committed = await instance.prisma.$transaction((tx) =>
        instance.jobs.send(queue, { label: 'committed' }, { transaction: tx }),
      );

      await waitFor(() => ran.includes('committed'), 'the committed job');
      await sleep(500); // several polls more: the worker had every chance to see the other one
      expect(ran).toEqual(['committed']);
      expect(rolledBack).toBeDefined();
      expect(await instance.jobs.find(queue, rolledBack!)).toBeNull();
      expect((await instance.jobs.find(queue, committed))?.state).toBe('completed');
    } finally {
      await instance.app.close();
    }
  });

  it('runs a committed job once, with two instances polling the queue', async () => {
    const queue = new Queue<{ n: number }>('test-shared', {
      retryLimit: 2,
      retryDelaySeconds: 0,
      expireInSeconds: 10,
    });
    const instances = [await startInstance(database), await startInstance(database)];
    try {
      const runs: { n: number; instance: number }[] = [];
      for (const [index, instance] of instances.entries()) {
        await instance.jobs.register(queue, async ({ n }) => {
          runs.push({ n, instance: index });
          await sleep(50);
        });
      }
      const [first] = instances;
      const ids = await first.prisma.$transaction(async (tx) => {
        const sent: string[] = [];
        for (let n = 0; n < 10; n += 1) {
          sent.push(await first.jobs.send(queue, { n }, { transaction: tx }));
        }
        return sent;
      });

      await waitFor(() => runs.length >= 10, 'ten jobs to run');
      await sleep(500); // a job taken twice would have run again by now
      expect(runs.map(({ n }) => n).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(new Set(runs.map(({ instance }) => instance))).toEqual(new Set([0, 1]));
      for (const id of ids) {
        expect((await first.jobs.find(queue, id))?.state).toBe('completed');
      }
    } finally {
      await Promise.all(instances.map((instance) => instance.app.close()));
    }
  });

  it('runs a job again, on another instance, after its expiry when the instance running it was killed', async () => {
    const survivor = await startInstance(database);
    let child: ChildProcess | undefined;
    try {
      const stuck = await startStuckProcess(database);
      child = stuck.child;
      const startedAt = Date.now();
      const reruns: string[] = [];
      // Working the queue from now on: the job is active on the other instance, not to be taken.
      await survivor.jobs.register(STUCK_QUEUE, (_data, job) => {
        reruns.push(job.id);
      });
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;

      await waitFor(() => reruns.includes(stuck.jobId), 'the job to run again', 20_000);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(STUCK_QUEUE.options.expireInSeconds * 1000);
      // The handler has returned; the job is marked completed just after, in its own statement.
      await waitFor(
        async () => (await survivor.jobs.find(STUCK_QUEUE, stuck.jobId))?.state !== 'active',
        'the rerun to be recorded',
      );
      expect(reruns).toEqual([stuck.jobId]);
      const job = await survivor.jobs.find(STUCK_QUEUE, stuck.jobId);
      expect(job).toMatchObject({ state: 'completed', retryCount: 1 });
    } finally {
      child?.kill('SIGKILL');
      await survivor.app.close();
    }
  });

  it('loses no job at shutdown: running ones finish or are handed back, and another instance completes each once', async () => {
    // No retries: a job handed back must not depend on one being left.
    const queue = new Queue<{ label: string; ms: number }>('test-shutdown', {
      retryLimit: 0,
      retryDelaySeconds: 0,
      expireInSeconds: 30,
      concurrency: 3,
    });
    const finished: { label: string; instance: string }[] = [];
    const startedOnFirst = new Set<string>();
    const first = await startInstance(database);
    let second: Awaited<ReturnType<typeof startInstance>> | undefined;
    try {
      await first.jobs.register(queue, async ({ label, ms }, job) => {
        startedOnFirst.add(label);
        await sleep(ms, undefined, { signal: job.signal });
        finished.push({ label, instance: 'first' });
      });
      const jobs = [
        { label: 'long-1', ms: 20_000 },
        { label: 'long-2', ms: 20_000 },
        { label: 'medium', ms: 300 }, // finishes within the 500 ms that shutdown waits
        { label: 'queued-1', ms: 0 },
        { label: 'queued-2', ms: 0 },
      ];
      const ids: string[] = [];
      for (const job of jobs) {
        ids.push(await first.jobs.send(queue, job));
      }
      await waitFor(() => startedOnFirst.size === 3, 'three jobs to start');

      const closing = Date.now();
      await first.app.close();
      expect(Date.now() - closing).toBeLessThan(1500);
      expect(finished).toEqual([{ label: 'medium', instance: 'first' }]);

      second = await startInstance(database);
      await second.jobs.register(queue, ({ label }) => {
        finished.push({ label, instance: 'second' });
      });
      await waitFor(() => finished.length >= jobs.length, 'every job to finish');
      await sleep(500);
      expect(finished.map(({ label }) => label).sort()).toEqual(jobs.map(({ label }) => label).sort());
      expect(
        finished
          .filter(({ instance }) => instance === 'second')
          .map(({ label }) => label)
          .sort(),
      ).toEqual(['long-1', 'long-2', 'queued-1', 'queued-2']);
      for (const id of ids) {
        expect((await second.jobs.find(queue, id))?.state).toBe('completed');
      }
    } finally {
      await second?.app.close();
    }
  });
});
