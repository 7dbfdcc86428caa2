import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { registerUser } from '../factories/users';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { JOB_SETTINGS } from '../helpers/test-queues';

const APP_URL = 'https://app.example.test';

/** The outbox's files once `count` mails of each kind are there (the mail job runs in the background). */
async function outboxFiles(directory: string, extension: string, count = 1): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const files = await readdir(directory).catch(() => []);
    const found = files.filter((file) => file.endsWith(extension)).sort();
    if (found.length >= count || Date.now() > deadline) {
      return found;
    }
    await sleep(100);
  }
}

describe('the mail outbox (no SMTP_URL)', () => {
  let dataDir: string;
  let server: TestApp;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'outbox-e2e-'));
    server = await startTestApp({ ...JOB_SETTINGS, DATA_DIR: dataDir, SMTP_URL: undefined, APP_URL });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes a readable text beside each mail, whose reset link can be copied and used', async () => {
    const user = await registerUser(server.api);
    // Registration mails a verification link first; the reset is the second mail.
    await outboxFiles(path.join(dataDir, 'outbox'), '.txt', 1);
    expect((await server.api.post('/v1/auth/password/forgot', { email: user.email })).status).toBe(202);
    const texts = await outboxFiles(path.join(dataDir, 'outbox'), '.txt', 2);
    const emls = await outboxFiles(path.join(dataDir, 'outbox'), '.eml', 2);
    expect(emls.map((file) => file.replace(/\.eml$/, '.txt'))).toEqual(texts);

    const text = await readFile(path.join(dataDir, 'outbox', texts[1]), 'utf8');
    expect(text).toMatch(new RegExp(`^To: ${user.email}\nSubject: .*password`, 'i'));
    const link = text.split('\n').find((line) => line.startsWith(`${APP_URL}/reset-password?token=`));
    expect(link).toBeDefined();
    // The same mail as sent is quoted-printable: the link is not there as it can be copied.
    expect(await readFile(path.join(dataDir, 'outbox', emls[1]), 'utf8')).not.toContain(link);

    const token = new URL(link!).searchParams.get('token');
    const newPassword = 'copied-from-the-outbox-42';
    expect((await server.api.post('/v1/auth/password/reset', { token, newPassword })).status).toBe(204);
    expect(
      (await server.api.post('/v1/auth/login', { email: user.email, password: newPassword })).status,
    ).toBe(200);
  });
});
