import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const children = new Set<ChildProcess>();
const temporaryFolders: string[] = [];

export interface RunningServer {
  name: 'project' | 'reference';
  url: string;
  pid: number;
  /** The last lines it printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** What both servers need: the same database, secret and pool size. */
export interface ServerSettings {
  /** Empty with `dataDir`: the project then runs on its embedded database. */
  databaseUrl: string;
  /** The project's embedded database folder, when it runs on one. */
  dataDir?: string;
  jwtSecret: string;
  poolSize: number;
  /** Extra node flags for the project (a V8 setting to try). */
  nodeFlags?: string[];
  /** Both servers run with --cpu-prof, into `<profile>/project` and `<profile>/reference`. */
  profile?: string;
  /** The project shares its limits and invalidations through this Redis (`--redis`). */
  redisUrl?: string;
  /** More settings for the project (a scenario of its own, such as webhooks). */
  env?: Record<string, string>;
}

/**
 * Kills every server still running and removes the transpiled reference: on exit, also after a failure.
 * Synchronous, for `process.on('exit')`.
 */
export function killAll(): void {
  for (const child of children) {
    child.kill('SIGKILL');
  }
  children.clear();
  for (const folder of temporaryFolders.splice(0)) {
    rmSync(folder, { recursive: true, force: true });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function buildProject(): void {
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`npm run build failed (exit ${result.status})`);
  }
}

/** Transpiles the self-contained reference server to plain JavaScript, so it runs without a TypeScript loader's weight. */
function transpileReference(): string {
  const source = readFileSync(path.join(__dirname, 'reference', 'server.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  const folder = mkdtempSync(path.join(os.tmpdir(), 'bench-reference-'));
  temporaryFolders.push(folder);
  const file = path.join(folder, 'server.js');
  writeFileSync(file, outputText);
  return file;
}

async function start(
  name: RunningServer['name'],
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
): Promise<RunningServer> {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env, PORT: String(port) };
  for (const [key, value] of Object.entries(merged)) {
    if (value === undefined) {
      delete merged[key];
    }
  }
  const child = spawn(command, args, {
    cwd: ROOT,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const state: { exited: number | null } = { exited: null };
  const exit = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      state.exited = code ?? (signal ? 128 : 1);
      children.delete(child);
      resolve();
    }),
  );
  const server: RunningServer = {
    name,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    output: () => lines.join('\n'),
    stop: async () => {
      if (state.exited === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exit;
        clearTimeout(timer);
      }
    },
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (state.exited !== null) {
      throw new Error(
        `The ${name} server exited with ${state.exited} before it was ready:\n${server.output()}`,
      );
    }
    const ready = await fetch(`${server.url}/health/ready`)
      .then((response) => response.status === 200)
      .catch(() => false);
    if (ready) {
      return server;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await server.stop();
  throw new Error(`The ${name} server was not ready within 60 s:\n${server.output()}`);
}

/**
 * The built project in production mode, started as `npm run start:prod` starts it (scripts/serve.sh, which
 * execs node: the pid is the server's), with the throttler raised out of the way.
 */
export async function startProject(settings: ServerSettings): Promise<RunningServer> {
  const port = await freePort();
  return start(
    'project',
    'sh',
    ['scripts/serve.sh', ...profileFlags(settings, 'project'), ...(settings.nodeFlags ?? [])],
    {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      JWT_SECRET: settings.jwtSecret,
      WEBHOOK_SECRET_KEY: 'benchmark-only-webhook-key-not-for-production-0123456789',
      DATABASE_URL: settings.dataDir ? undefined : settings.databaseUrl,
      DATA_DIR: settings.dataDir,
      DB_POOL_SIZE: String(settings.poolSize),
      JWT_ACCESS_TTL_SECONDS: '86400',
      THROTTLE_LIMIT: '100000000',
      AUTH_THROTTLE_LIMIT: '100000000',
      LOGIN_FAILURE_LIMIT: '100000000',
      LOGIN_ACCOUNT_FAILURE_LIMIT: '100000000',
      LOGIN_ADDRESS_FAILURE_LIMIT: '100000000',
      REDIS_URL: settings.redisUrl,
      // Its own keys, so a run never counts against another's windows.
      REDIS_PREFIX: settings.redisUrl ? `bench:${process.pid}:` : undefined,
      ...settings.env,
    },
    port,
  );
}

export async function startReference(settings: ServerSettings): Promise<RunningServer> {
  const port = await freePort();
  return start(
    'reference',
    process.execPath,
    [...profileFlags(settings, 'reference'), transpileReference()],
    {
      NODE_ENV: 'production',
      // The transpiled file lives outside the repository: resolve its packages from ours.
      NODE_PATH: path.join(ROOT, 'node_modules'),
      JWT_SECRET: settings.jwtSecret,
      DATABASE_URL: settings.databaseUrl,
      DB_POOL_SIZE: String(settings.poolSize),
      JWT_ACCESS_TTL_SECONDS: '86400',
    },
    port,
  );
}

function profileFlags(settings: ServerSettings, name: RunningServer['name']): string[] {
  return settings.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(settings.profile, name)}`] : [];
}

/** Resident memory of a process in kB (VmRSS), 0 once it is gone. */
export function rssKb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every 100 ms until stopped; gives the peak in kB. */
export function sampleRss(pid: number): { stop(): number } {
  let peak = rssKb(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssKb(pid));
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rssKb(pid));
    },
  };
}
