import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import S3rver from 's3rver';
import sharp from 'sharp';
import { v7 as uuidv7 } from 'uuid';

import { Clock } from '@/common/time/clock';
import { JobsService } from '@/jobs/jobs.service';
import { PHOTO_ORPHANS_QUEUE, PhotoOrphansJob } from '@/modules/photos/photo-orphans.job';

import { createAccountWithMembers, createApiKey } from '../factories/accounts';
import {
  gif,
  jpeg,
  jpegWithGps,
  multipartBody,
  pixelBomb,
  png,
  SVG,
  uploadPhoto,
  webp,
} from '../factories/photos';
import { createPost, newPostInput } from '../factories/posts';
import { RegisteredUser, registerUser } from '../factories/users';
import type { ApiClient } from '../helpers/api-client';
import { useTestApp } from '../helpers/test-app';

const UNKNOWN_ID = '01a211c9-1ada-701a-b52d-5e455dc3d299';
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** A clock the orphan cleanup reads, moved forward by the tests. */
class MovableClock extends Clock {
  offsetMs = 0;

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

/** A stored file fetched from its URL (relative URLs are the API's own `/media`). */
async function fetchMedia(
  api: ApiClient,
  url: string,
): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const response = await fetch(new URL(url, api.baseUrl));
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

describe('photos', () => {
  const mediaDir = mkdtempSync(path.join(tmpdir(), 'photos-e2e-'));
  const clock = new MovableClock();
  const server = useTestApp({ MEDIA_DIR: mediaDir }, { clock });
  let author: RegisteredUser;
  let other: RegisteredUser;

  beforeAll(async () => {
    author = await registerUser(server.api);
    other = await registerUser(server.api);
  });
  afterAll(() => rmSync(mediaDir, { recursive: true, force: true }));

  const newPost = () => createPost(server.api, author.accessToken);
  const photosOf = async (postId: string) =>
    (await server.api.get(`/v1/posts/${postId}`)).body.photos as any[];

  describe('upload', () => {
    it.each([
      ['JPEG', jpeg, 'jpg', 'image/jpeg', 'jpeg'],
      ['PNG', png, 'png', 'image/png', 'png'],
      ['WebP', webp, 'webp', 'image/webp', 'webp'],
    ])(
      'stores a %s re-encoded, with a WebP thumbnail 400 pixels wide',
      async (_name, make, ext, type, format) => {
        const post = await newPost();
        const response = await uploadPhoto(server.api, post.id, await make(640, 480), {
          token: author.accessToken,
          // The declared type and name play no part: the bytes say what the file is.
          type: 'application/octet-stream',
          filename: 'whatever.svg',
        });
        expect(response.status).toBe(201);
        expect(response.body).toMatchObject({ width: 640, height: 480, position: 0 });
        expect(response.body.url).toBe(`/media/posts/${post.id}/${response.body.id}/display.${ext}`);

        const display = await fetchMedia(server.api, response.body.url);
        expect(display.status).toBe(200);
        expect(display.headers.get('content-type')).toBe(type);
        expect(display.headers.get('cache-control')).toBe(IMMUTABLE);
        expect((await sharp(display.body).metadata()).format).toBe(format);

        const thumbnail = await fetchMedia(server.api, response.body.thumbnailUrl);
        expect(thumbnail.status).toBe(200);
        expect(thumbnail.headers.get('cache-control')).toBe(IMMUTABLE);
        const meta = await sharp(thumbnail.body).metadata();
        expect(meta).toMatchObject({ format: 'webp', width: 400, height: 300 });

        const read = await server.api.get(`/v1/posts/${post.id}`);
        expect(read.body.photos).toEqual([response.body]);
        expect(read.body.coverPhotoUrl).toBe(response.body.thumbnailUrl);
      },
    );

    it('fits a large image in 2048 pixels', async () => {
      const post = await newPost();
      const response = await uploadPhoto(server.api, post.id, await jpeg(4000, 1000), {
        token: author.accessToken,
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ width: 2048, height: 512 });
      const display = await fetchMedia(server.api, response.body.url);
      expect(await sharp(display.body).metadata()).toMatchObject({ width: 2048, height: 512 });
    });

    it('applies the EXIF orientation and strips every metadata, GPS included', async () => {
      const original = await jpegWithGps(300, 200);
      const before = await sharp(original).metadata();
      expect(before.orientation).toBe(6);
      expect(before.exif?.toString('latin1')).toContain('Secret Photographer');
      expect(before.exif?.toString('latin1')).toMatch(/N\0/);

      const post = await newPost();
      const response = await uploadPhoto(server.api, post.id, original, { token: author.accessToken });
      expect(response.status).toBe(201);
      // Shown upright: the quarter turn is applied to the pixels.
      expect(response.body).toMatchObject({ width: 200, height: 300 });
      for (const url of [response.body.url, response.body.thumbnailUrl]) {
        const file = await fetchMedia(server.api, url);
        const meta = await sharp(file.body).metadata();
        expect(meta.exif).toBeUndefined();
        expect(meta.xmp).toBeUndefined();
        expect(meta.iptc).toBeUndefined();
        expect(meta.orientation).toBeUndefined();
        expect(file.body.includes('Secret Photographer')).toBe(false);
        expect(file.body.includes('PhoneCo')).toBe(false);
      }
    });

    it('gives uploads to one post at the same time one position each', async () => {
      const post = await newPost();
      const image = await png();
      const responses = await Promise.all(
        Array.from({ length: 6 }, () =>
          uploadPhoto(server.api, post.id, image, { token: author.accessToken }),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(6).fill(201));
      const positions = responses.map((response) => response.body.position as number).sort((a, b) => a - b);
      expect(positions).toEqual([0, 1, 2, 3, 4, 5]);
      expect((await photosOf(post.id)).map((photo) => photo.position)).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('adds each photo after the last one', async () => {
      const post = await newPost();
      const positions = [];
      for (let i = 0; i < 3; i++) {
        positions.push(
          (await uploadPhoto(server.api, post.id, await png(), { token: author.accessToken })).body.position,
        );
      }
      expect(positions).toEqual([0, 1, 2]);
    });
  });

  describe('refusals', () => {
    let postId: string;
    beforeAll(async () => {
      postId = (await newPost()).id;
    });

    const refused = async (data: Buffer, status: number, code: string, type?: string) => {
      const response = await uploadPhoto(server.api, postId, data, { token: author.accessToken, type });
      expect(response.status).toBe(status);
      expect(response.body.code).toBe(code);
      expect(await photosOf(postId)).toEqual([]);
    };

    it('refuses an SVG, even declared as a JPEG', () =>
      refused(SVG, 415, 'UNSUPPORTED_MEDIA_TYPE', 'image/jpeg'));
    it('refuses a GIF', async () => refused(await gif(), 415, 'UNSUPPORTED_MEDIA_TYPE', 'image/gif'));
    it('refuses bytes of no image format', () =>
      refused(Buffer.from('%PDF-1.7 not an image'), 415, 'UNSUPPORTED_MEDIA_TYPE'));
    it('refuses a corrupt JPEG', async () => {
      const whole = await jpeg(640, 480);
      await refused(whole.subarray(0, Math.floor(whole.length / 2)), 400, 'INVALID_IMAGE');
    });
    it('refuses a PNG whose header is broken', async () => {
      const bytes = Buffer.from(await png());
      bytes.fill(0, 12, 30);
      await refused(bytes, 400, 'INVALID_IMAGE');
    });
    it('refuses an image over 50 megapixels without decoding it', async () =>
      refused(await pixelBomb(10_000, 10_000), 413, 'TOO_MANY_PIXELS'));
    it('refuses a file over 10 MB', async () => {
      const big = Buffer.concat([await jpeg(), Buffer.alloc(10 * 1024 * 1024)]);
      await refused(big, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('refuses two files in one request', async () => {
      const body = await multipartBody([
        { name: 'file', data: await png() },
        { name: 'file', data: await png() },
      ]);
      const response = await server.api.post(`/v1/posts/${postId}/photos`, undefined, {
        ...body,
        token: author.accessToken,
      });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'file' })]);
      expect(await photosOf(postId)).toEqual([]);
    });

    it('refuses a part of another name, and an empty form', async () => {
      for (const parts of [[{ name: 'photo', data: await png() }], []]) {
        const body = await multipartBody(parts);
        const response = await server.api.post(`/v1/posts/${postId}/photos`, undefined, {
          ...body,
          token: author.accessToken,
          invalid: 'no part named file',
        });
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      }
    });

    it('refuses a body that is not multipart', async () => {
      const response = await server.api.post(
        `/v1/posts/${postId}/photos`,
        { file: 'abc' },
        {
          token: author.accessToken,
          invalid: 'JSON instead of a form',
        },
      );
      expect(response.status).toBe(415);
      expect(response.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('keeps refusing multipart on every other route', async () => {
      const body = await multipartBody([{ name: 'title', data: Buffer.from('x') }]);
      const response = await server.api.post('/v1/posts', undefined, {
        ...body,
        token: author.accessToken,
        invalid: 'a form where JSON is taken',
      });
      expect(response.status).toBe(415);
      expect(response.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('refuses the 31st photo of a post', async () => {
      const full = await newPost();
      const image = await png(8, 8);
      for (let i = 0; i < 30; i++) {
        expect((await uploadPhoto(server.api, full.id, image, { token: author.accessToken })).status).toBe(
          201,
        );
      }
      const response = await uploadPhoto(server.api, full.id, image, { token: author.accessToken });
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('TOO_MANY_PHOTOS');
      expect(await photosOf(full.id)).toHaveLength(30);
    });
  });

  describe('who may change photos', () => {
    it('refuses anonymous callers, other users and unknown posts', async () => {
      const post = await newPost();
      const image = await png();
      expect((await uploadPhoto(server.api, post.id, image)).status).toBe(401);
      const foreign = await uploadPhoto(server.api, post.id, image, { token: other.accessToken });
      expect(foreign.status).toBe(403);
      expect(foreign.body.code).toBe('NOT_POST_OWNER');
      const unknown = await uploadPhoto(server.api, UNKNOWN_ID, image, { token: author.accessToken });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('POST_NOT_FOUND');

      const photo = (await uploadPhoto(server.api, post.id, image, { token: author.accessToken })).body;
      const path = `/v1/posts/${post.id}/photos/${photo.id}`;
      const move = await server.api.patch(path, { position: 0 }, { token: other.accessToken });
      expect(move.status).toBe(403);
      const remove = await server.api.delete(path, { token: other.accessToken });
      expect(remove.status).toBe(403);
      expect((await server.api.delete(path)).status).toBe(401);
      // A photo of another post is not found under this one.
      const elsewhere = await newPost();
      const wrong = await server.api.delete(`/v1/posts/${elsewhere.id}/photos/${photo.id}`, {
        token: author.accessToken,
      });
      expect(wrong.status).toBe(404);
      expect(wrong.body.code).toBe('PHOTO_NOT_FOUND');
      expect(await photosOf(post.id)).toEqual([photo]);
      expect((await fetchMedia(server.api, photo.url)).status).toBe(200);
    });

    it("lets an account's manager and its API key with posts:write change its posts' photos", async () => {
      const account = await createAccountWithMembers(server.api);
      const post = await createPost(server.api, account.member.accessToken, { accountId: account.id });
      const image = await png();
      expect(
        (await uploadPhoto(server.api, post.id, image, { token: account.admin.accessToken })).status,
      ).toBe(201);

      const writer = await createApiKey(server.api, account.id, account.owner.accessToken, ['posts:write']);
      const byKey = await uploadPhoto(server.api, post.id, image, { headers: { 'x-api-key': writer } });
      expect(byKey.status).toBe(201);
      const reader = await createApiKey(server.api, account.id, account.owner.accessToken, ['posts:read']);
      const readOnly = await uploadPhoto(server.api, post.id, image, { headers: { 'x-api-key': reader } });
      expect(readOnly.status).toBe(403);
      expect(readOnly.body.code).toBe('INSUFFICIENT_SCOPE');

      // A key of another account may not touch the post.
      const stranger = await createAccountWithMembers(server.api, 'Elsewhere');
      const strangerKey = await createApiKey(server.api, stranger.id, stranger.owner.accessToken, [
        'posts:write',
      ]);
      const foreign = await uploadPhoto(server.api, post.id, image, {
        headers: { 'x-api-key': strangerKey },
      });
      expect(foreign.status).toBe(403);
      const moved = await server.api.patch(
        `/v1/posts/${post.id}/photos/${byKey.body.id}`,
        { position: 0 },
        { headers: { 'x-api-key': strangerKey } },
      );
      expect(moved.status).toBe(403);
      expect(await photosOf(post.id)).toHaveLength(2);
    });
  });

  describe('order and deletion', () => {
    it('moves a photo, shifting the ones between, and shows the first as the cover', async () => {
      const post = await newPost();
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        ids.push(
          (await uploadPhoto(server.api, post.id, await png(), { token: author.accessToken })).body.id,
        );
      }
      const moved = await server.api.patch(
        `/v1/posts/${post.id}/photos/${ids[3]}`,
        { position: 0 },
        {
          token: author.accessToken,
        },
      );
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ id: ids[3], position: 0 });
      let photos = await photosOf(post.id);
      expect(photos.map((photo) => photo.id)).toEqual([ids[3], ids[0], ids[1], ids[2]]);
      expect(photos.map((photo) => photo.position)).toEqual([0, 1, 2, 3]);

      // Past the last position: last.
      const last = await server.api.patch(
        `/v1/posts/${post.id}/photos/${ids[3]}`,
        { position: 29 },
        {
          token: author.accessToken,
        },
      );
      expect(last.body.position).toBe(3);
      photos = await photosOf(post.id);
      expect(photos.map((photo) => photo.id)).toEqual([ids[0], ids[1], ids[2], ids[3]]);

      const list = await server.api.get('/v1/posts?limit=100');
      const item = list.body.data.find((entry: { id: string }) => entry.id === post.id);
      expect(item.coverPhotoUrl).toBe(photos[0].thumbnailUrl);
      const bare = await newPost();
      const bareItem = (await server.api.get('/v1/posts?limit=100')).body.data.find(
        (entry: { id: string }) => entry.id === bare.id,
      );
      expect(bareItem.coverPhotoUrl).toBeNull();
      expect((await server.api.get(`/v1/posts/${bare.id}`)).body.photos).toEqual([]);
    });

    it.each([
      ['a negative position', { position: -1 }],
      ['a position past the most photos', { position: 30 }],
      ['a fractional position', { position: 1.5 }],
      ['no position', {}],
    ])('refuses %s', async (_name, body) => {
      const post = await newPost();
      const photo = (await uploadPhoto(server.api, post.id, await png(), { token: author.accessToken })).body;
      const response = await server.api.patch(`/v1/posts/${post.id}/photos/${photo.id}`, body, {
        token: author.accessToken,
        invalid: 'an invalid position',
      });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('position');
    });

    it('deletes a photo and its files, closing the gap', async () => {
      const post = await newPost();
      const photos = [];
      for (let i = 0; i < 3; i++) {
        photos.push(
          (await uploadPhoto(server.api, post.id, await png(), { token: author.accessToken })).body,
        );
      }
      const deleted = await server.api.delete(`/v1/posts/${post.id}/photos/${photos[0].id}`, {
        token: author.accessToken,
      });
      expect(deleted.status).toBe(204);
      expect((await fetchMedia(server.api, photos[0].url)).status).toBe(404);
      expect((await fetchMedia(server.api, photos[0].thumbnailUrl)).status).toBe(404);
      const left = await photosOf(post.id);
      expect(left.map((photo) => [photo.id, photo.position])).toEqual([
        [photos[1].id, 0],
        [photos[2].id, 1],
      ]);
      const again = await server.api.delete(`/v1/posts/${post.id}/photos/${photos[0].id}`, {
        token: author.accessToken,
      });
      expect(again.status).toBe(404);
    });

    it("deletes a post's photos and their files with the post", async () => {
      const post = await newPost();
      const photo = (await uploadPhoto(server.api, post.id, await webp(), { token: author.accessToken }))
        .body;
      expect((await fetchMedia(server.api, photo.url)).status).toBe(200);
      expect((await server.api.delete(`/v1/posts/${post.id}`, { token: author.accessToken })).status).toBe(
        204,
      );
      expect((await fetchMedia(server.api, photo.url)).status).toBe(404);
      expect((await fetchMedia(server.api, photo.thumbnailUrl)).status).toBe(404);
      await expect(readdir(path.join(mediaDir, 'posts', post.id))).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });

  describe('orphan cleanup', () => {
    it('is scheduled with pg-boss on PHOTO_ORPHAN_CRON', async () => {
      const schedules = await server.app.get(JobsService).schedules();
      expect(schedules).toContainEqual(
        expect.objectContaining({ name: PHOTO_ORPHANS_QUEUE.name, cron: '41 * * * *' }),
      );
    });

    it('removes old files that no photo names, and keeps the others', async () => {
      const post = await newPost();
      const photo = (await uploadPhoto(server.api, post.id, await png(), { token: author.accessToken })).body;
      const stray = path.join(mediaDir, 'posts', post.id, uuidv7());
      await mkdir(stray, { recursive: true });
      await writeFile(path.join(stray, 'display.jpg'), await jpeg());
      const job = server.app.get(PhotoOrphansJob);

      // Young: it may be an upload about to commit.
      expect(await job.run()).toBe(0);
      clock.offsetMs = 2 * 60 * 60 * 1000;
      try {
        expect(await job.run()).toBe(1);
      } finally {
        clock.offsetMs = 0;
      }
      await expect(readdir(stray)).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await fetchMedia(server.api, photo.url)).status).toBe(200);
      expect((await fetchMedia(server.api, photo.thumbnailUrl)).status).toBe(200);
    });
  });
});

describe('photos in an S3-compatible store', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 's3rver-'));
  // The bucket is made on the first start; a restart finds it in `directory` (making it again would log).
  const store = (port: number, buckets: { name: string; configs: [] }[]) =>
    new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: buckets });
  let s3 = store(0, [{ name: 'listing-photos', configs: [] }]);
  const settings: Record<string, string> = {};
  let endpoint = '';
  let port = 0;

  beforeAll(async () => {
    ({ port } = await s3.run());
    endpoint = `http://127.0.0.1:${port}`;
    Object.assign(settings, {
      S3_BUCKET: 'listing-photos',
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    });
  });
  afterAll(async () => {
    await s3.close();
    rmSync(directory, { recursive: true, force: true });
  });

  // The settings are read when the app starts, after s3rver has its port.
  const server = useTestApp(settings);

  it('stores, serves and deletes the files in the bucket', async () => {
    const author = await registerUser(server.api);
    const post = await createPost(server.api, author.accessToken, newPostInput());
    const response = await uploadPhoto(server.api, post.id, await jpegWithGps(), {
      token: author.accessToken,
    });
    expect(response.status).toBe(201);
    expect(response.body.url).toBe(
      `${endpoint}/listing-photos/posts/${post.id}/${response.body.id}/display.jpg`,
    );

    const display = await fetch(response.body.url);
    expect(display.status).toBe(200);
    expect(display.headers.get('content-type')).toBe('image/jpeg');
    expect(display.headers.get('cache-control')).toBe(IMMUTABLE);
    expect((await sharp(Buffer.from(await display.arrayBuffer())).metadata()).exif).toBeUndefined();
    const thumbnail = await fetch(response.body.thumbnailUrl);
    expect(thumbnail.status).toBe(200);
    expect((await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata()).width).toBe(400);

    const second = (await uploadPhoto(server.api, post.id, await png(), { token: author.accessToken })).body;
    const deleted = await server.api.delete(`/v1/posts/${post.id}/photos/${response.body.id}`, {
      token: author.accessToken,
    });
    expect(deleted.status).toBe(204);
    expect((await fetch(response.body.url)).status).toBe(404);
    expect((await fetch(response.body.thumbnailUrl)).status).toBe(404);
    expect((await fetch(second.url)).status).toBe(200);

    expect((await server.api.delete(`/v1/posts/${post.id}`, { token: author.accessToken })).status).toBe(204);
    expect((await fetch(second.url)).status).toBe(404);
    expect((await fetch(second.thumbnailUrl)).status).toBe(404);
  });

  it('answers 503 and stores nothing while the store is down', async () => {
    const author = await registerUser(server.api);
    const post = await createPost(server.api, author.accessToken, newPostInput());
    await s3.close();
    try {
      const response = await uploadPhoto(server.api, post.id, await png(), { token: author.accessToken });
      expect(response.status).toBe(503);
      expect(response.body.code).toBe('MEDIA_STORAGE_UNAVAILABLE');
      expect((await server.api.get(`/v1/posts/${post.id}`)).body.photos).toEqual([]);
    } finally {
      s3 = store(port, []);
      await s3.run();
    }
  });
});
