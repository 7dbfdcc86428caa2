import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, opendir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { MediaStorage, StoredFile } from './media-storage';

/** Photos on local disk under MEDIA_DIR, served by this API at `/media` (media-serving.ts). */
export class LocalMediaStorage extends MediaStorage {
  constructor(readonly directory: string) {
    super();
    // The static file server needs its root to exist when it is registered.
    mkdirSync(directory, { recursive: true });
  }

  async put(key: string, body: Buffer): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    // Written aside, then renamed: a reader never sees half a file.
    const partial = `${target}.${randomUUID()}.partial`;
    await writeFile(partial, body);
    await rename(partial, target);
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.pathOf(prefix), { recursive: true, force: true });
  }

  async *list(prefix: string): AsyncIterable<StoredFile> {
    yield* this.walk(this.pathOf(prefix));
  }

  private async *walk(folder: string): AsyncIterable<StoredFile> {
    let entries;
    try {
      entries = await opendir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return;
      }
      throw error;
    }
    for await (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        yield* this.walk(full);
      } else if (entry.isFile()) {
        const { mtime } = await stat(full);
        yield { key: path.relative(this.directory, full).split(path.sep).join('/'), modifiedAt: mtime };
      }
    }
  }

  /** Keys are made by this service from ids, never from client input; this refuses any that would escape. */
  private pathOf(key: string): string {
    const resolved = path.resolve(this.directory, key);
    if (!resolved.startsWith(path.resolve(this.directory) + path.sep)) {
      throw new Error(`Media key outside the media folder: ${key}`);
    }
    return resolved;
  }
}
