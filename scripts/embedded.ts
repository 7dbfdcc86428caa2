import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { EmbeddedDatabase, IN_MEMORY } from '@/database/embedded-database';

/** Runs `fn` with a throwaway in-memory PostgreSQL (PGlite) and its URL. */
export async function withScratchDatabase<T>(
  fn: (url: string, db: EmbeddedDatabase) => Promise<T>,
): Promise<T> {
  const db = await EmbeddedDatabase.start(IN_MEMORY, 4);
  const { user, host, port, database } = db.connection;
  try {
    return await fn(`postgresql://${user}@${host}:${port}/${database}`, db);
  } finally {
    await db.stop();
  }
}

/**
 * The Prisma CLI (through scripts/prisma.sh) against `url`; resolves to its standard output. Never
 * synchronous: the embedded database answers from this same process.
 */
export async function prisma(url: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('sh', [path.join(__dirname, 'prisma.sh'), ...args], {
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stderr = '', stdout = '' } = error as { stderr?: string; stdout?: string };
    throw new Error(`prisma ${args.join(' ')} failed:\n${stderr}${stdout}`);
  }
}
