import { Injectable } from '@nestjs/common';
import type { JpegOptions, PngOptions, Sharp, SharpOptions, WebpOptions } from 'sharp';

import { Semaphore } from '@/common/concurrency/semaphore';
import { AppConfig } from '@/config/config.module';

import { InvalidImageError, TooManyPixelsError, UnsupportedImageTypeError } from './photos.errors';

/** The largest image decoded: a larger one is refused before decoding (docs/api/photos.md#uploads). */
export const MAX_PHOTO_PIXELS = 50_000_000;
/** The display image fits in this square; the thumbnail is this wide. */
export const DISPLAY_SIZE = 2048;
export const THUMBNAIL_WIDTH = 400;

export type PhotoFormat = 'jpeg' | 'png' | 'webp';

export const EXTENSION: Record<PhotoFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp' };
export const CONTENT_TYPE: Record<PhotoFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

export interface ProcessedPhoto {
  format: PhotoFormat;
  display: Buffer;
  width: number;
  height: number;
  /** WebP, THUMBNAIL_WIDTH wide. */
  thumbnail: Buffer;
}

/**
 * The format the bytes say they are (their signature), never what the client declared: SVG, GIF and
 * everything else fail here, before sharp (which reads SVG and more) sees them.
 */
export function formatOf(bytes: Buffer): PhotoFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'jpeg';
  }
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    return 'png';
  }
  if (
    bytes.length >= 12 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 12) === 'WEBP'
  ) {
    return 'webp';
  }
  return null;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

type SharpFactory = (input: Buffer, options?: SharpOptions) => Sharp;
let library: Promise<SharpFactory> | undefined;

/** sharp and libvips (about 25 MB resident) load with the first photo, not with every server. */
function loadSharp(): Promise<SharpFactory> {
  library ??= import('sharp').then(({ default: factory }) => {
    // libvips' operation cache holds decoded images for reuse: uploads never repeat, so it only costs memory.
    factory.cache(false);
    return factory;
  });
  return library;
}

/**
 * Decodes, orients (EXIF orientation applied) and re-encodes uploads with no metadata at all (sharp
 * writes EXIF, XMP or ICC only when asked), plus a WebP thumbnail. sharp works on libuv's threadpool,
 * off the event loop; at most PHOTO_CONCURRENCY photos are in hand at once, the others wait unread.
 */
@Injectable()
export class ImageProcessor {
  private readonly slots: Semaphore;

  constructor(config: AppConfig) {
    this.slots = new Semaphore(config.get('PHOTO_CONCURRENCY', { infer: true }));
  }

  /**
   * Runs `task` (read an upload, then `process` it) when a slot is free. The upload is read inside the
   * slot: a waiting upload stays in its socket, so memory does not grow with the uploads in flight.
   */
  withSlot<T>(task: () => Promise<T>): Promise<T> {
    return this.slots.run(task);
  }

  async process(bytes: Buffer): Promise<ProcessedPhoto> {
    const format = formatOf(bytes);
    if (!format) {
      throw new UnsupportedImageTypeError();
    }
    const { width, height } = await this.header(bytes, format);
    if (width * height > MAX_PHOTO_PIXELS) {
      throw new TooManyPixelsError();
    }
    const image = await loadSharp();
    try {
      const display = await image(bytes, { limitInputPixels: MAX_PHOTO_PIXELS })
        .rotate()
        .resize({ width: DISPLAY_SIZE, height: DISPLAY_SIZE, fit: 'inside', withoutEnlargement: true })
        .toFormat(format, ENCODING[format])
        .toBuffer({ resolveWithObject: true });
      // From the display image: already oriented, and far cheaper to decode than the original.
      const thumbnail = await image(display.data)
        .resize({ width: THUMBNAIL_WIDTH })
        .webp({ quality: 80 })
        .toBuffer();
      return {
        format,
        display: display.data,
        width: display.info.width,
        height: display.info.height,
        thumbnail,
      };
    } catch (error) {
      throw /pixel limit/i.test((error as Error).message)
        ? new TooManyPixelsError()
        : new InvalidImageError();
    }
  }

  /** The size the image's header declares (no decoding), checked against what its signature said. */
  private async header(bytes: Buffer, format: PhotoFormat): Promise<{ width: number; height: number }> {
    const image = await loadSharp();
    try {
      const metadata = await image(bytes, { limitInputPixels: false }).metadata();
      if (metadata.format !== format || !metadata.width || !metadata.height) {
        throw new InvalidImageError();
      }
      return { width: metadata.width, height: metadata.height };
    } catch {
      throw new InvalidImageError();
    }
  }
}

const ENCODING: Record<PhotoFormat, JpegOptions | PngOptions | WebpOptions> = {
  jpeg: { quality: 82, mozjpeg: false },
  png: { compressionLevel: 6 },
  webp: { quality: 82 },
};
