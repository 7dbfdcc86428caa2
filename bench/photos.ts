/**
 * The `photos` scenario (`npm run bench -- --only photos`): uploads of one 12-megapixel JPEG over 8
 * connections to the project alone, each re-encoded to a 2048-pixel display image and a WebP thumbnail
 * (src/modules/photos). It reports photos per second, the upload latency at p50 and p99, the server's
 * peak RSS while uploading, and its RSS once idle again (sampled for up to a minute after the last
 * upload, until it is under the target). Every upload must answer 201.
 */
import sharp from 'sharp';

import { benchPost } from './post-input';
import { median } from './report';
import { login } from './scenarios';
import { rssKb, RunningServer, sampleRss } from './servers';
import { percentile } from './stats';

/** This scenario's targets, in MB: peak RSS while uploading, and RSS within a minute after the last upload. */
export const PHOTO_RSS_PEAK_MB = 350;
export const PHOTO_RSS_IDLE_MB = 250;
const IDLE_WINDOW_MS = 60_000;
/** A post takes at most 30 photos: each post gets this many uploads. */
const UPLOADS_PER_POST = 25;

export interface PhotoBenchResult {
  uploads: number;
  connections: number;
  fileMb: number;
  photosPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  rssPeakMb: number;
  /** RSS when it first went under PHOTO_RSS_IDLE_MB after the uploads, or at the end of the window. */
  rssAfterMb: number;
  /** How long after the last upload that was (the whole window if it never went under). */
  settledAfterS: number;
}

/** A 4000 x 3000 photo-like JPEG: smooth gradients with grain, so it compresses like a photo (a few MB). */
export async function twelveMegapixelJpeg(width = 4000, height = 3000): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 42;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const grain = (seed % 24) - 12;
      const i = (y * width + x) * 3;
      pixels[i] = Math.max(0, Math.min(255, (x * 255) / width + grain));
      pixels[i + 1] = Math.max(0, Math.min(255, (y * 255) / height + grain));
      pixels[i + 2] = Math.max(0, Math.min(255, 128 + 100 * Math.sin((x + y) / 150) + grain));
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 88 })
    .toBuffer();
}

async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (response.status >= 300) {
    throw new Error(`${response.url} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text) as T;
}

export async function photosBench(
  project: RunningServer,
  email: string,
  uploads: number,
  connections = 8,
): Promise<PhotoBenchResult> {
  const token = await login(project.url, email);
  const auth = { authorization: `Bearer ${token}` };
  const photo = await twelveMegapixelJpeg();
  const form = new FormData();
  form.append('file', new Blob([photo], { type: 'image/jpeg' }), 'photo.jpg');
  const encoded = new Request('http://localhost/', { method: 'POST', body: form });
  const body = Buffer.from(await encoded.arrayBuffer());
  const contentType = encoded.headers.get('content-type')!;

  const posts: string[] = [];
  for (let n = 0; n < Math.ceil(uploads / UPLOADS_PER_POST); n++) {
    const post = await json<{ id: string }>(
      await fetch(`${project.url}/v1/posts`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(benchPost(n, 'Photo bench')),
      }),
    );
    posts.push(post.id);
  }

  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const rss = sampleRss(project.pid);
  const started = Date.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < uploads) {
        const n = next++;
        const sent = performance.now();
        const response = await fetch(
          `${project.url}/v1/posts/${posts[Math.floor(n / UPLOADS_PER_POST)]}/photos`,
          {
            method: 'POST',
            headers: { ...auth, 'content-type': contentType },
            body,
          },
        );
        await response.arrayBuffer();
        latencies.push(performance.now() - sent);
        if (response.status !== 201) {
          failed++;
        }
      }
    }),
  );
  const finished = Date.now();
  const rssPeakKb = rss.stop();

  let rssAfterKb = rssKb(project.pid);
  while (rssAfterKb / 1024 > PHOTO_RSS_IDLE_MB && Date.now() - finished < IDLE_WINDOW_MS) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    rssAfterKb = rssKb(project.pid);
  }
  return {
    uploads,
    connections,
    fileMb: photo.length / 1024 / 1024,
    photosPerSecond: uploads / Math.max(0.001, (finished - started) / 1000),
    p50Ms: median(latencies),
    p99Ms: percentile(latencies, 99),
    failed,
    rssPeakMb: rssPeakKb / 1024,
    rssAfterMb: rssAfterKb / 1024,
    settledAfterS: (Date.now() - finished) / 1000,
  };
}

export function photosTable(result: PhotoBenchResult): string {
  return [
    '| uploads | connections | file MB | photos/s | p50 ms | p99 ms | failed | peak RSS MB | RSS after MB (s after) |',
    '| --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    `| ${result.uploads} | ${result.connections} | ${result.fileMb.toFixed(1)} | ${result.photosPerSecond.toFixed(2)} | ` +
      `${result.p50Ms.toFixed(0)} | ${result.p99Ms.toFixed(0)} | ${result.failed} | ${result.rssPeakMb.toFixed(0)} | ` +
      `${result.rssAfterMb.toFixed(0)} (${result.settledAfterS.toFixed(0)}) |`,
  ].join('\n');
}

/** What misses the targets, if anything. */
export function photosFailures(result: PhotoBenchResult): string[] {
  return [
    ...(result.failed > 0 ? [`${result.failed} upload(s) failed`] : []),
    ...(result.rssPeakMb > PHOTO_RSS_PEAK_MB
      ? [`peak RSS ${result.rssPeakMb.toFixed(0)} MB > ${PHOTO_RSS_PEAK_MB}`]
      : []),
    ...(result.rssAfterMb > PHOTO_RSS_IDLE_MB
      ? [`RSS ${result.rssAfterMb.toFixed(0)} MB a minute after > ${PHOTO_RSS_IDLE_MB}`]
      : []),
  ];
}
