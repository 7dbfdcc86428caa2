import path from 'node:path';

import type { AppConfig } from '@/config/config.module';
import { strictFake } from '@test/helpers/strict-fake';

import { mediaDirectory } from './media.module';

function config(values: Record<string, string | undefined>): AppConfig {
  return strictFake<AppConfig>({ get: (key: string) => values[key] });
}

describe(mediaDirectory.name, () => {
  it('is absolute for the default, relative DATA_DIR (the static file server refuses anything else)', () => {
    const directory = mediaDirectory(config({ DATA_DIR: '.data', MEDIA_DIR: undefined }));
    expect(directory).toBe(path.resolve('.data', 'media'));
  });

  it('makes a relative MEDIA_DIR absolute, and keeps an absolute one', () => {
    expect(mediaDirectory(config({ DATA_DIR: '.data', MEDIA_DIR: 'uploads' }))).toBe(path.resolve('uploads'));
    expect(mediaDirectory(config({ DATA_DIR: '.data', MEDIA_DIR: '/srv/media' }))).toBe('/srv/media');
  });
});
