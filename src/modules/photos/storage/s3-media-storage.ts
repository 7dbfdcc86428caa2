import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ClientConfig,
} from '@aws-sdk/client-s3';

import { IMMUTABLE_CACHE_CONTROL, MediaStorage, StoredFile } from './media-storage';

/** Photos in a bucket of any S3-compatible store (AWS, MinIO, R2...), served by the store or a CDN. */
export class S3MediaStorage extends MediaStorage {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {
    super();
  }

  static create(config: S3ClientConfig, bucket: string): S3MediaStorage {
    return new S3MediaStorage(new S3Client(config), bucket);
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        CacheControl: IMMUTABLE_CACHE_CONTROL,
      }),
    );
  }

  async deletePrefix(prefix: string): Promise<void> {
    let batch: string[] = [];
    for await (const file of this.list(prefix)) {
      batch.push(file.key);
      // DeleteObjects takes at most 1000 keys.
      if (batch.length === 1000) {
        await this.deleteKeys(batch);
        batch = [];
      }
    }
    if (batch.length > 0) {
      await this.deleteKeys(batch);
    }
  }

  async *list(prefix: string): AsyncIterable<StoredFile> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) {
          yield { key: object.Key, modifiedAt: object.LastModified ?? new Date(0) };
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  override close(): void {
    this.client.destroy();
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    await this.client.send(
      new DeleteObjectsCommand({
        Bucket: this.bucket,
        Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
      }),
    );
  }
}
