import sharp from 'sharp';

import { formatOf } from './image-processor';

describe(formatOf.name, () => {
  const solid = () => sharp({ create: { width: 4, height: 4, channels: 3, background: '#123456' } });

  it('tells JPEG, PNG and WebP from their bytes', async () => {
    expect(formatOf(await solid().jpeg().toBuffer())).toBe('jpeg');
    expect(formatOf(await solid().png().toBuffer())).toBe('png');
    expect(formatOf(await solid().webp().toBuffer())).toBe('webp');
  });

  it('refuses SVG, GIF, TIFF, AVIF and bytes of no format', async () => {
    expect(formatOf(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(formatOf(Buffer.from('<?xml version="1.0"?><svg/>'))).toBeNull();
    expect(formatOf(await solid().gif().toBuffer())).toBeNull();
    expect(formatOf(await solid().tiff().toBuffer())).toBeNull();
    expect(formatOf(await solid().avif().toBuffer())).toBeNull();
    expect(formatOf(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBeNull();
    expect(formatOf(Buffer.alloc(0))).toBeNull();
  });
});
