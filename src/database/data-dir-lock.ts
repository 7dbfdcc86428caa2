import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The file in DATA_DIR that names the one process holding the embedded database open. */
export const LOCK_FILE = 'server.lock';

/** Who holds a data folder, as its lock file says. */
export interface LockHolder {
  pid: number;
  /** Its command line (`node dist/main.js`, `scripts/seed.ts ...`), to tell the server from a command. */
  command: string;
  startedAt: string;
  /** The embedded database's wire-protocol port (for diagnostics with psql), once it is served. */
  databasePort?: number;
}

/** The data folder is held by another live process; nothing was opened. */
export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError';

  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by ${describe(holder)}. PGlite has one writer: stop ` +
        `that process first (kill ${holder.pid}), then run this again; or set DATABASE_URL to a PostgreSQL ` +
        'server, which any number of processes may share.',
    );
  }
}

function describe({ pid, command, startedAt, databasePort }: LockHolder): string {
  const served = databasePort ? `, its database served on 127.0.0.1:${databasePort}` : '';
  return `process ${pid} (\`${command}\`, since ${startedAt}${served})`;
}

/**
 * One writer per embedded data folder: a lock file, created exclusively, naming the process that holds
 * the folder. PGlite keeps the database in memory and writes it back to the folder; two processes on one
 * folder each write their own copy and one side's commits are lost. A lock left by a process that is gone
 * (killed, crashed) is taken over.
 */
export class DataDirLock {
  private released = false;

  private constructor(
    private readonly file: string,
    private readonly owner: LockHolder,
  ) {}

  /** Takes the folder for this process, or throws `DataDirBusyError` naming the live holder. */
  static async acquire(dataDir: string): Promise<DataDirLock> {
    await mkdir(dataDir, { recursive: true });
    const file = path.join(dataDir, LOCK_FILE);
    const owner: LockHolder = {
      pid: process.pid,
      command: process.argv
        .slice(1)
        .map((arg) => path.relative(process.cwd(), arg) || arg)
        .join(' ')
        .slice(0, 200),
      startedAt: new Date().toISOString(),
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      // Written whole under a name of its own, then linked into place: the lock never exists half-written,
      // and `link` fails if another process's lock is there.
      const draft = `${file}.${randomUUID()}`;
      await writeFile(draft, JSON.stringify(owner));
      try {
        await link(draft, file);
        return new DataDirLock(file, owner);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw error;
        }
      } finally {
        await unlink(draft).catch(() => undefined);
      }
      const current = await readHolder(file);
      if (current && isAlive(current.pid)) {
        throw new DataDirBusyError(dataDir, current);
      }
      // Stale: its process is gone. Moved aside first (atomic), so two processes taking it over at once
      // cannot remove each other's new lock.
      const stale = `${file}.stale-${process.pid}`;
      await rename(file, stale).then(
        () => unlink(stale),
        () => undefined,
      );
    }
    throw new Error(`Could not take ${file}: another process keeps taking it`);
  }

  /** Adds what was learned after taking the lock (the database's port). */
  async update(details: Partial<Pick<LockHolder, 'databasePort'>>): Promise<void> {
    Object.assign(this.owner, details);
    const draft = `${this.file}.${randomUUID()}`;
    await writeFile(draft, JSON.stringify(this.owner));
    await rename(draft, this.file);
  }

  /** Removes the lock, if it is still this process's. */
  async release(): Promise<void> {
    if (this.released) {
      return;
    }
    this.released = true;
    const current = await readHolder(this.file);
    if (current?.pid === this.owner.pid) {
      await unlink(this.file).catch(() => undefined);
    }
  }
}

/** The live process holding `dataDir`, if any (a stale lock names nobody). */
export async function dataDirHolder(dataDir: string): Promise<LockHolder | undefined> {
  const holder = await readHolder(path.join(dataDir, LOCK_FILE));
  return holder && isAlive(holder.pid) ? holder : undefined;
}

/** Throws `DataDirBusyError` when a live process holds `dataDir`; for commands, before they open anything. */
export async function assertDataDirFree(dataDir: string): Promise<void> {
  const holder = await dataDirHolder(dataDir);
  if (holder) {
    throw new DataDirBusyError(dataDir, holder);
  }
}

const UNREADABLE: LockHolder = { pid: 0, command: '?', startedAt: '?' };

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' ? (parsed as LockHolder) : UNREADABLE;
  } catch (error) {
    // Missing: free. Unreadable (not written by this code): stale, taken over.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : UNREADABLE;
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  if (pid === process.pid) {
    return true;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
