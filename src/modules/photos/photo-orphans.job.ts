import { Injectable, Logger, OnModuleInit } from '@nestjs/common';

import { Clock } from '@/common/time/clock';
import { AppConfig } from '@/config/config.module';
import { JobsService } from '@/jobs/jobs.service';
import { Queue } from '@/jobs/queue';

import { PhotosRepository } from './photos.repository';
import { photoOfKey, POSTS_PREFIX } from './storage/media-keys';
import { MediaStorage } from './storage/media-storage';

/** One job per PHOTO_ORPHAN_CRON tick, carrying nothing: each run looks at the whole store. */
export const PHOTO_ORPHANS_QUEUE = new Queue<Record<string, never>>('photo-orphans', {
  retryLimit: 3,
  retryDelaySeconds: 300,
  expireInSeconds: 1800,
});

/**
 * Files younger than this are left alone: an upload writes its files before its row commits, and a
 * file that young may belong to one still under way.
 */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;

/** Photo ids looked up per statement. */
const BATCH = 500;

/**
 * Removes stored photo files that no photo row names: what a crash between storing and committing
 * leaves, a delete whose file removal failed, and the photos of users deleted with their posts.
 */
@Injectable()
export class PhotoOrphansJob implements OnModuleInit {
  private readonly logger = new Logger('PhotoOrphans');

  constructor(
    private readonly jobs: JobsService,
    private readonly photos: PhotosRepository,
    private readonly storage: MediaStorage,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register(PHOTO_ORPHANS_QUEUE, async (_data, { signal }) => {
      await this.run(signal);
    });
    await this.jobs.schedule(PHOTO_ORPHANS_QUEUE, this.config.get('PHOTO_ORPHAN_CRON', { infer: true }), {});
  }

  /** Deletes the folders of photos without a row, older than the grace period; how many went. */
  async run(signal?: AbortSignal): Promise<number> {
    const before = this.clock.now().getTime() - ORPHAN_GRACE_MS;
    // Photo folders by photo id; a folder with any young file is kept whole.
    const folders = new Map<string, { folder: string; old: boolean }>();
    for await (const file of this.storage.list(POSTS_PREFIX)) {
      const photo = photoOfKey(file.key);
      if (!photo) {
        continue;
      }
      const old = file.modifiedAt.getTime() < before;
      const seen = folders.get(photo.photoId);
      folders.set(photo.photoId, { folder: photo.folder, old: old && (seen?.old ?? true) });
    }
    const candidates = [...folders].filter(([, { old }]) => old).map(([id]) => id);
    let deleted = 0;
    for (let start = 0; start < candidates.length && !signal?.aborted; start += BATCH) {
      const ids = candidates.slice(start, start + BATCH);
      const existing = await this.photos.existing(ids);
      for (const id of ids.filter((id) => !existing.has(id))) {
        await this.storage.deletePrefix(folders.get(id)!.folder);
        deleted++;
      }
    }
    if (deleted > 0) {
      this.logger.log(`Removed the files of ${deleted} photo(s) that no row names`);
    }
    return deleted;
  }
}
