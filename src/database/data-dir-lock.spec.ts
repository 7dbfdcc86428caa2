import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { assertDataDirFree, DataDirBusyError, dataDirHolder, DataDirLock, LOCK_FILE } from './data-dir-lock';

/** A pid that no process has any more: a child that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

describe('DataDirLock', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'lock-')), 'data');
  });

  afterEach(async () => {
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('names this process in the folder, and removes itself when released', async () => {
    const lock = await DataDirLock.acquire(dataDir);
    await lock.update({ databasePort: 5544 });

    const holder = JSON.parse(await readFile(path.join(dataDir, LOCK_FILE), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(holder).toMatchObject({ pid: process.pid, databasePort: 5544 });
    expect(await dataDirHolder(dataDir)).toMatchObject({ pid: process.pid });

    await lock.release();
    expect(await readdir(dataDir)).toEqual([]);
    expect(await dataDirHolder(dataDir)).toBeUndefined();
  });

  it('refuses a second holder while the first lives, naming its pid and port', async () => {
    const lock = await DataDirLock.acquire(dataDir);
    await lock.update({ databasePort: 5544 });

    const refusal = DataDirLock.acquire(dataDir);
    await expect(refusal).rejects.toBeInstanceOf(DataDirBusyError);
    await expect(refusal).rejects.toThrow(`process ${process.pid} (`);
    await expect(refusal).rejects.toThrow('127.0.0.1:5544');
    await expect(assertDataDirFree(dataDir)).rejects.toThrow(`kill ${process.pid}`);
    // The refused attempt left nothing behind, and the holder's lock stands.
    expect(await readdir(dataDir)).toEqual([LOCK_FILE]);
    expect(await dataDirHolder(dataDir)).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('takes over a lock whose process is gone', async () => {
    await mkdir(dataDir, { recursive: true });
    const stale = { pid: deadPid(), command: 'dist/main.js', startedAt: '2026-01-01T00:00:00.000Z' };
    await writeFile(path.join(dataDir, LOCK_FILE), JSON.stringify(stale));
    expect(await dataDirHolder(dataDir)).toBeUndefined();
    await expect(assertDataDirFree(dataDir)).resolves.toBeUndefined();

    const lock = await DataDirLock.acquire(dataDir);

    expect(await dataDirHolder(dataDir)).toMatchObject({ pid: process.pid });
    expect(await readdir(dataDir)).toEqual([LOCK_FILE]);
    await lock.release();
  });

  it('takes over a lock file it cannot read', async () => {
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, LOCK_FILE), 'not json');

    const lock = await DataDirLock.acquire(dataDir);

    expect(await dataDirHolder(dataDir)).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('lets exactly one of several simultaneous attempts win', async () => {
    const attempts = await Promise.allSettled([1, 2, 3, 4].map(() => DataDirLock.acquire(dataDir)));

    const won = attempts.filter((attempt) => attempt.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const attempt of attempts.filter((attempt) => attempt.status === 'rejected')) {
      expect(attempt.reason).toBeInstanceOf(DataDirBusyError);
    }
    await won[0].value.release();
  });

  it('does not remove a lock that another process took after this one', async () => {
    const lock = await DataDirLock.acquire(dataDir);
    const other = { pid: process.ppid, command: 'another', startedAt: new Date().toISOString() };
    await writeFile(path.join(dataDir, LOCK_FILE), JSON.stringify(other));

    await lock.release();

    expect(await dataDirHolder(dataDir)).toMatchObject({ pid: process.ppid });
  });
});
