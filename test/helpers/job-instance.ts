/**
 * The application in a process of its own, for the test that kills an instance mid-job: it works
 * STUCK_QUEUE with a handler that never finishes, sends one job to it, and says on standard output
 * `started <job id>` once the handler runs. Settings come from the environment.
 */
import { createApp } from '@/app.setup';
import { JobsService } from '@/jobs/jobs.service';

import { STUCK_QUEUE } from './test-queues';

async function main(): Promise<void> {
  const app = await createApp({ envFile: false });
  const jobs = app.get(JobsService);
  await jobs.register(STUCK_QUEUE, (_data, job) => {
    process.stdout.write(`started ${job.id}\n`);
    return new Promise<void>(() => undefined);
  });
  await app.init();
  await jobs.send(STUCK_QUEUE, { n: 1 });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
