import { tmpdir } from 'node:os';
import path from 'node:path';

import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';

import { AppConfig } from '@/config/config.module';
import { IN_MEMORY } from '@/database/embedded-database';

import { LocalMediaStorage } from './local-media-storage';
import { MediaStorage, MediaUrls } from './media-storage';

/**
 * Where photos go without S3_BUCKET: MEDIA_DIR, else DATA_DIR/media (a temporary folder when the data
 * lives in memory); absolute, as the static file server needs (DATA_DIR is `.data` by default).
 */
export function mediaDirectory(config: AppConfig): string {
  const dataDir = config.get('DATA_DIR', { infer: true });
  return path.resolve(
    config.get('MEDIA_DIR', { infer: true }) ??
      path.join(
        dataDir === IN_MEMORY ? tmpdir() : dataDir,
        dataDir === IN_MEMORY ? 'listings-media' : 'media',
      ),
  );
}

/** The public address of the bucket when MEDIA_BASE_URL does not say: the endpoint's (path style) or AWS's. */
function bucketUrl(config: AppConfig, bucket: string): string {
  const endpoint = config.get('S3_ENDPOINT', { infer: true });
  if (endpoint) {
    return config.get('S3_FORCE_PATH_STYLE', { infer: true })
      ? `${endpoint.replace(/\/+$/, '')}/${bucket}`
      : endpoint.replace('://', `://${bucket}.`);
  }
  return `https://${bucket}.s3.${config.get('S3_REGION', { infer: true })}.amazonaws.com`;
}

/** The AWS SDK (tens of MB once loaded) is loaded only when photos go to a bucket. */
async function createStorage(config: AppConfig): Promise<MediaStorage> {
  const bucket = config.get('S3_BUCKET', { infer: true });
  if (!bucket) {
    return new LocalMediaStorage(mediaDirectory(config));
  }
  const { S3MediaStorage } = await import('./s3-media-storage');
  const accessKeyId = config.get('S3_ACCESS_KEY_ID', { infer: true });
  const secretAccessKey = config.get('S3_SECRET_ACCESS_KEY', { infer: true });
  return S3MediaStorage.create(
    {
      region: config.get('S3_REGION', { infer: true }),
      endpoint: config.get('S3_ENDPOINT', { infer: true }),
      forcePathStyle: config.get('S3_FORCE_PATH_STYLE', { infer: true }),
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    },
    bucket,
  );
}

function createUrls(config: AppConfig): MediaUrls {
  const bucket = config.get('S3_BUCKET', { infer: true });
  const base =
    config.get('MEDIA_BASE_URL', { infer: true }) ?? (bucket ? bucketUrl(config, bucket) : '/media');
  return new MediaUrls(base);
}

/** Photo storage and URLs for every module: the posts' reads name photos, their deletion removes files. */
@Global()
@Module({
  providers: [
    { provide: MediaStorage, inject: [AppConfig], useFactory: createStorage },
    { provide: MediaUrls, inject: [AppConfig], useFactory: createUrls },
  ],
  exports: [MediaStorage, MediaUrls],
})
export class MediaModule implements OnApplicationShutdown {
  constructor(@Inject(MediaStorage) private readonly storage: MediaStorage) {}

  onApplicationShutdown(): void {
    this.storage.close();
  }
}
