import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { TEST_SETTINGS } from './test-app';

/** The repository's root: the working directory of every process the tests start. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** A loopback port that nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TypeScript entry point of the project (`src/main.ts`, `scripts/seed.ts`...) in a process of its own. */
export interface ProjectProcess {
  child: ChildProcess;
  /** Standard output and error so far, interleaved. */
  output: () => string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

export function startProcess(
  entry: string,
  args: string[],
  env: Record<string, string | undefined>,
): ProjectProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', entry, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Runs an entry point to its end: its exit code and output. */
export async function runProcess(
  entry: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; output: string }> {
  const started = startProcess(entry, args, env);
  const code = await started.exited;
  return { code, output: started.output() };
}

/** Waits until the process has printed `text`; fails if it exits first or takes longer than `timeoutMs`. */
export async function waitForOutput(
  started: ProjectProcess,
  text: string,
  timeoutMs = 45_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!started.output().includes(text)) {
    if (started.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`waited for "${text}":\n${started.output()}`);
    }
    await sleep(100);
  }
}

/** Ends the process (SIGTERM, then SIGKILL after `graceMs`) and waits for it. */
export async function stopProcess(started: ProjectProcess, graceMs = 10_000): Promise<number | null> {
  if (started.child.exitCode === null && started.child.signalCode === null) {
    started.child.kill('SIGTERM');
    const timer = setTimeout(() => started.child.kill('SIGKILL'), graceMs);
    try {
      return await started.exited;
    } finally {
      clearTimeout(timer);
    }
  }
  return started.child.exitCode;
}

/** The real server (src/main.ts) in a process of its own, as `npm start` runs it, once it listens. */
export interface ServerProcess extends ProjectProcess {
  port: number;
  url: string;
}

/**
 * Starts src/main.ts on a free loopback port with the test settings and `env` (logging at `info`, so
 * the output shows what it did), and waits until it listens.
 */
export async function startServerProcess(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const port = await freePort();
  const started = startProcess('src/main.ts', [], {
    ...TEST_SETTINGS,
    LOG_LEVEL: 'info',
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
  });
  await waitForOutput(started, 'Listening on');
  return { ...started, port, url: `http://127.0.0.1:${port}` };
}
