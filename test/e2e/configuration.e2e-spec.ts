import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { SECRETS_FILE } from '@/config/environment';

import { registerUser } from '../factories/users';
import { ApiClient } from '../helpers/api-client';
import { freePort, runProcess, startProcess, stopProcess, waitForOutput } from '../helpers/processes';

// Real processes start here (seconds each on a busy machine): past the suite's 15 s default.
jest.setTimeout(120_000);

/** No secret, no database and no data folder inherited from the shell that runs the tests. */
const CLEAN: Record<string, string | undefined> = {
  NODE_ENV: 'test',
  DATA_DIR: 'memory://',
  DATABASE_URL: undefined,
  JWT_SECRET: undefined,
  WEBHOOK_SECRET_KEY: undefined,
  REDIS_URL: undefined,
  SMTP_URL: undefined,
};

describe('the configuration at start (src/main.ts in a process of its own)', () => {
  it.each([
    { bad: { PORT: 'abc' }, names: ['PORT'] },
    { bad: { NODE_ENV: 'production' }, names: ['JWT_SECRET', 'WEBHOOK_SECRET_KEY'] },
    { bad: { CORS_ORIGINS: 'notaurl' }, names: ['CORS_ORIGINS'] },
    {
      bad: {
        PORT: 'abc',
        NODE_ENV: 'production',
        CORS_ORIGINS: 'https://app.example.com/',
        LOG_LEVEL: 'loud',
      },
      names: ['PORT', 'LOG_LEVEL', 'JWT_SECRET', 'CORS_ORIGINS', 'WEBHOOK_SECRET_KEY'],
    },
  ])('refuses $bad with one line for each bad variable, exit code 1 and no stack', async ({ bad, names }) => {
    const { code, output } = await runProcess('src/main.ts', [], { ...CLEAN, ...bad });
    expect(code).toBe(1);
    expect(output).toContain('Invalid configuration');
    const problems = output.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems.map((line) => line.slice(4).split(':')[0])).toEqual(names);
    // One message each: the first rule the variable breaks, not every rule it breaks.
    expect(problems.join('\n')).not.toContain(';');
    expect(output).not.toMatch(/^\s+at /m);
    if ('NODE_ENV' in bad) {
      expect(problems).toContain('  - JWT_SECRET: required when NODE_ENV=production');
    }
  });

  it('keeps development secrets in DATA_DIR: tokens issued before a restart still work after it', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'dev-secrets-'));
    const port = await freePort();
    const env = {
      ...CLEAN,
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
    };
    const api = new ApiClient(`http://127.0.0.1:${port}`);
    try {
      const first = startProcess('src/main.ts', [], { ...env, LOG_LEVEL: 'info' });
      await waitForOutput(first, 'Listening on');
      const user = await registerUser(api);
      expect(await stopProcess(first)).toBe(0);
      expect((await stat(path.join(dataDir, SECRETS_FILE))).mode & 0o777).toBe(0o600);

      const second = startProcess('src/main.ts', [], { ...env, LOG_LEVEL: 'info' });
      try {
        await waitForOutput(second, 'Listening on');
        expect((await api.get('/v1/users/me', { token: user.accessToken })).status).toBe(200);
        expect((await api.post('/v1/auth/refresh', { refreshToken: user.refreshToken })).status).toBe(200);
      } finally {
        await stopProcess(second);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
