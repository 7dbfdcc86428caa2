import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { LOCK_FILE } from '@/database/data-dir-lock';

import { ApiClient } from '../helpers/api-client';
import { freePort, runProcess, ServerProcess, startServerProcess, stopProcess } from '../helpers/processes';
import { TEST_SETTINGS } from '../helpers/test-app';

// Real processes start here (seconds each on a busy machine): past the suite's 15 s default.
jest.setTimeout(120_000);

/**
 * The embedded database's folder has one writer (docs/operations.md#the-embedded-database-one-writer).
 * Real processes on a real folder: the server as `npm start` runs it, a second server, and the commands
 * that write (admin:create, db:seed, db:migrate). Always on the embedded database, whatever database the
 * suite runs on.
 */
describe('one writer on the embedded data folder', () => {
  let root: string;
  let dataDir: string;
  let server: ServerProcess | undefined;
  let port: number;

  const settings = (overrides: Record<string, string> = {}): Record<string, string | undefined> => ({
    ...TEST_SETTINGS,
    DATABASE_URL: undefined,
    TEST_DATABASE_URL: undefined,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    JWT_SECRET: 'one-writer-test-secret-0123456789abcdef',
    WEBHOOK_SECRET_KEY: 'one-writer-test-key-0123456789abcdef',
    ...overrides,
  });

  async function startServer(): Promise<ServerProcess> {
    const started = await startServerProcess(settings());
    port = started.port;
    return started;
  }

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'one-writer-'));
    dataDir = path.join(root, 'data');
    server = await startServer();
  });

  afterAll(async () => {
    if (server) {
      await stopProcess(server);
    }
    await rm(root, { recursive: true, force: true });
  });

  const pid = () => String(server!.child.pid);

  it('names the server in a lock file while it runs', async () => {
    expect(await readdir(dataDir)).toContain(LOCK_FILE);
    expect(server!.output()).toContain(`Listening on http://127.0.0.1:${port}`);
  });

  it('refuses admin:create at once, naming the server, and reports nothing done', async () => {
    const { code, output } = await runProcess(
      'src/cli/admin-create.ts',
      ['--email', 'second-admin@example.com'],
      settings(),
    );

    expect(code).toBe(1);
    expect(output).toContain(`in use by process ${pid()}`);
    expect(output).not.toContain('Created admin');
    expect(output).not.toContain('Password');
  });

  it('refuses db:seed and db:migrate at once, naming the server', async () => {
    for (const [entry, args] of [
      [
        'scripts/seed.ts',
        ['--users', '1', '--posts', '1', '--saves', '0', '--chats', '0', '--messages', '0'],
      ],
      ['src/cli/migrate.ts', []],
    ] as const) {
      const { code, output } = await runProcess(entry, [...args], settings());
      expect({ entry, code }).toEqual({ entry, code: 1 });
      expect(output).toContain(`in use by process ${pid()}`);
    }
  });

  it('refuses a second server on another port before it opens the database or starts a worker', async () => {
    const { code, output } = await runProcess(
      'src/main.ts',
      [],
      settings({ PORT: String(await freePort()) }),
    );

    expect(code).toBe(1);
    expect(output).toContain(`in use by process ${pid()}`);
    expect(output).not.toContain('Embedded PostgreSQL');
    expect(output).not.toContain('queue(s) ready');
    expect(output).not.toMatch(/\n\s+at /); // one message, no stack
    // The first server still serves.
    const health = await new ApiClient(`http://127.0.0.1:${port}`).get('/health/ready');
    expect(health.status).toBe(200);
  });

  it('refuses a second server on a port in use before it opens anything', async () => {
    const otherDir = path.join(root, 'untouched');
    const { code, output } = await runProcess(
      'src/main.ts',
      [],
      settings({ PORT: String(port), DATA_DIR: otherDir }),
    );

    expect(code).toBe(1);
    expect(output).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(output).not.toContain('Embedded PostgreSQL');
    expect(output).not.toContain('successfully started');
    expect(existsSync(otherDir)).toBe(false);
  });

  it('works once the server has stopped, and what it wrote is there when the server comes back', async () => {
    expect(await stopProcess(server!)).toBe(0);
    server = undefined;
    expect(await readdir(dataDir)).not.toContain(LOCK_FILE);

    const created = await runProcess(
      'src/cli/admin-create.ts',
      ['--email', 'second-admin@example.com', '--password', 'correct horse battery'],
      settings(),
    );
    expect(created.output).toContain('Created admin second-admin@example.com');
    expect(created.code).toBe(0);
    // Three users make three pairs: every pair gets its one chat, none is drawn twice.
    const seeded = await runProcess(
      'scripts/seed.ts',
      ['--users', '3', '--posts', '2', '--saves', '2', '--chats', '3', '--messages', '4'],
      settings(),
    );
    expect(seeded.output).toContain('chats: 3, messages: 4');
    expect(seeded.code).toBe(0);

    server = await startServer();
    const login = await new ApiClient(`http://127.0.0.1:${port}`).post('/v1/auth/login', {
      email: 'second-admin@example.com',
      password: 'correct horse battery',
    });
    expect(login.status).toBe(200);
    expect(login.body.user.role).toBe('ADMIN');
  });

  it('takes over the lock of a process that is gone', async () => {
    const killed = server!;
    killed.child.kill('SIGKILL');
    await killed.exited;
    server = undefined;
    expect(await readdir(dataDir)).toContain(LOCK_FILE); // left behind

    server = await startServer();

    expect(server.output()).toContain('Listening on');
    const health = await new ApiClient(`http://127.0.0.1:${port}`).get('/health/ready');
    expect(health.status).toBe(200);
  });

  it('treats a lock naming a process that no longer exists as stale for commands too', async () => {
    await stopProcess(server!);
    server = undefined;
    await writeFile(
      path.join(dataDir, LOCK_FILE),
      // Above any pid Linux hands out (pid_max is at most 2^22).
      JSON.stringify({ pid: 999_999_999, command: 'dist/main.js', startedAt: new Date().toISOString() }),
    );

    const { code, output } = await runProcess('src/cli/migrate.ts', [], settings());

    expect(output).toContain(`The embedded database in ${dataDir} is up to date`);
    expect(code).toBe(0);
  });
});
