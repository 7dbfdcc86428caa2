import { crc32 } from 'node:zlib';

import sharp from 'sharp';

import type { ApiClient, ApiResponse, RequestOptions } from '../helpers/api-client';

/** One part of a multipart form. */
export interface FormPart {
  name: string;
  data: Buffer;
  filename?: string;
  type?: string;
}

/** A `multipart/form-data` body and its content type, as a browser's FormData sends them. */
export async function multipartBody(parts: FormPart[]): Promise<Pick<RequestOptions, 'rawBody' | 'headers'>> {
  const form = new FormData();
  for (const part of parts) {
    form.append(
      part.name,
      new Blob([part.data], { type: part.type ?? 'application/octet-stream' }),
      part.filename ?? 'photo',
    );
  }
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    rawBody: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type')! },
  };
}

/** Uploads `data` as the `file` part of a photo upload to the post. */
export async function uploadPhoto(
  api: ApiClient,
  postId: string,
  data: Buffer,
  options: Omit<RequestOptions, 'rawBody' | 'body'> & { type?: string; filename?: string } = {},
): Promise<ApiResponse> {
  const { type, filename, ...rest } = options;
  const body = await multipartBody([{ name: 'file', data, type, filename }]);
  return api.post(`/v1/posts/${postId}/photos`, undefined, {
    ...rest,
    ...body,
    headers: { ...rest.headers, ...body.headers },
  });
}

const solid = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 200 } } });

export const jpeg = (width = 64, height = 48): Promise<Buffer> => solid(width, height).jpeg().toBuffer();
export const png = (width = 64, height = 48): Promise<Buffer> => solid(width, height).png().toBuffer();
export const webp = (width = 64, height = 48): Promise<Buffer> => solid(width, height).webp().toBuffer();
export const gif = (width = 16, height = 16): Promise<Buffer> => solid(width, height).gif().toBuffer();

/** A JPEG taken "sideways" (EXIF orientation 6: shown rotated a quarter turn) with GPS coordinates in its EXIF. */
export function jpegWithGps(width = 300, height = 200): Promise<Buffer> {
  return solid(width, height)
    .jpeg()
    .withExif({
      IFD0: { Copyright: 'Secret Photographer', Make: 'PhoneCo' },
      IFD2: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '48/1 51/1 24/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '2/1 21/1 3/1',
      },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

export const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="red"/></svg>',
);

/** A small PNG whose header claims `width` x `height` pixels: a decompression bomb as far as the header goes. */
export async function pixelBomb(width = 10_000, height = 10_000): Promise<Buffer> {
  const bytes = Buffer.from(await png(1, 1));
  // IHDR: length (4) 'IHDR' (4) width (4) height (4) ..., after the 8-byte signature; then its CRC.
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)), 29);
  return bytes;
}
