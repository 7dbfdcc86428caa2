import { setTimeout as sleep } from 'node:timers/promises';

import { PrismaService } from 'nestjs-prisma';

import { JobsService } from '@/jobs/jobs.service';
import { PURGE_QUEUE } from '@/jobs/purge/purge.job';
import { AuthRepository } from '@/modules/auth/auth.repository';
import { REVOKED_SESSION_RETENTION_MS } from '@/modules/auth/sessions.purge';

import { newPostInput } from '../factories/posts';
import { registerUser } from '../factories/users';
import { useTestApp } from '../helpers/test-app';
import { JOB_SETTINGS } from '../helpers/test-queues';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('purge of expired sessions and idempotency records', () => {
  const server = useTestApp(JOB_SETTINGS);
  const prisma = () => server.app.get(PrismaService);
  const ago = (ms: number) => new Date(Date.now() - ms);

  /** The sessions left of a user (one each: the one registration opened). */
  const sessionsOf = (userId: string) => prisma().session.count({ where: { userId } });

  it('is scheduled with pg-boss on PURGE_CRON', async () => {
    const schedules = await server.app.get(JobsService).schedules();
    expect(schedules).toContainEqual(
      expect.objectContaining({ name: PURGE_QUEUE.name, cron: '*/10 * * * *' }),
    );
  });

  it('deletes expired sessions, sessions revoked past the retention and expired records; keeps the rest', async () => {
    const [live, expired, revokedRecently, revokedLongAgo] = await Promise.all(
      Array.from({ length: 4 }, () => registerUser(server.api)),
    );
    await prisma().session.updateMany({ where: { userId: expired.id }, data: { expiresAt: ago(1000) } });
    await prisma().session.updateMany({
      where: { userId: revokedRecently.id },
      data: { revokedAt: ago(DAY_MS) },
    });
    await prisma().session.updateMany({
      where: { userId: revokedLongAgo.id },
      data: { revokedAt: ago(REVOKED_SESSION_RETENTION_MS + DAY_MS) },
    });
    for (const key of ['purge-kept', 'purge-expired']) {
      const created = await server.api.post('/v1/posts', newPostInput(), {
        token: live.accessToken,
        headers: { 'idempotency-key': key },
      });
      expect(created.status).toBe(201);
    }
    await prisma().idempotencyRecord.updateMany({
      where: { key: 'purge-expired' },
      data: { expiresAt: ago(1000) },
    });

    const jobs = server.app.get(JobsService);
    const id = await jobs.send(PURGE_QUEUE, {});
    const deadline = Date.now() + 10_000;
    while ((await jobs.find(PURGE_QUEUE, id))?.state !== 'completed' && Date.now() < deadline) {
      await sleep(50);
    }
    expect((await jobs.find(PURGE_QUEUE, id))?.state).toBe('completed');

    expect(await sessionsOf(live.id)).toBe(1);
    expect(await sessionsOf(expired.id)).toBe(0);
    expect(await sessionsOf(revokedRecently.id)).toBe(1);
    expect(await sessionsOf(revokedLongAgo.id)).toBe(0);
    const keys = await prisma().idempotencyRecord.findMany({
      where: { userId: live.id },
      select: { key: true },
    });
    expect(keys).toEqual([{ key: 'purge-kept' }]);
    // What is left still works: the live session signs requests.
    expect((await server.api.get('/v1/users/me', { token: live.accessToken })).status).toBe(200);
  });

  it('deletes in batches of the size asked for', async () => {
    const users = await Promise.all(Array.from({ length: 3 }, () => registerUser(server.api)));
    await prisma().session.updateMany({
      where: { userId: { in: users.map((user) => user.id) } },
      data: { expiresAt: ago(1000) },
    });
    const sessions = server.app.get(AuthRepository);
    const revokedBefore = ago(REVOKED_SESSION_RETENTION_MS);
    expect(await sessions.deleteDeadSessions(new Date(), revokedBefore, 2)).toBe(2);
    expect(await sessions.deleteDeadSessions(new Date(), revokedBefore, 2)).toBe(1);
    expect(await sessions.deleteDeadSessions(new Date(), revokedBefore, 2)).toBe(0);
  });
});
