import { Logger } from '@nestjs/common';

/** A stored file, as a listing of the storage gives it. */
export interface StoredFile {
  key: string;
  modifiedAt: Date;
}

/** What any client may cache for ever: a key never names other bytes (a new photo gets a new id). */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * Where photo files live, by key (`posts/<postId>/<photoId>/display.jpg`): a folder on local disk or an
 * S3-compatible bucket, chosen by configuration (media.module.ts). Services see only this.
 */
export abstract class MediaStorage {
  /** Stores `body` under `key`; the file can be read at its URL once this resolves. */
  abstract put(key: string, body: Buffer, contentType: string): Promise<void>;

  /** Removes every file whose key starts with `prefix` (a photo's or a post's folder); none is fine. */
  abstract deletePrefix(prefix: string): Promise<void>;

  /** Every file whose key starts with `prefix`, for the cleanup of files no photo names. */
  abstract list(prefix: string): AsyncIterable<StoredFile>;

  /** Lets go of what it holds (connections), at shutdown. */
  close(): void {}

  /**
   * `deletePrefix` for files whose rows are already gone (or never committed): a failure is logged, not
   * thrown, and the orphan cleanup (photos/photo-orphans.job.ts) removes them later.
   */
  async discard(prefix: string): Promise<void> {
    try {
      await this.deletePrefix(prefix);
    } catch (error) {
      new Logger('MediaStorage').warn(
        `Files under ${prefix} stay until the orphan cleanup: ${(error as Error).message}`,
      );
    }
  }
}

/** Turns a stored key into the URL clients fetch it at: MEDIA_BASE_URL, then the key. */
export class MediaUrls {
  private readonly base: string;

  constructor(base: string) {
    this.base = base.replace(/\/+$/, '');
  }

  urlOf(key: string): string {
    return `${this.base}/${key}`;
  }
}
