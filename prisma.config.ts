import path from 'node:path';

import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

import { connectionOptions, patchCatalogTypes } from './src/database/pg-connection';

// Commands that need no database (generate, validate, a datamodel diff) still read the url:
// give them one that names the problem if anything tries to connect through it.
process.env.DATABASE_URL ??= 'postgresql://unset@localhost:5432/DATABASE_URL_is_not_set';

// Prisma's schema engine runs as WASM over the pg driver adapter: no native engine is downloaded.
export default defineConfig({
  experimental: { adapter: true },
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  engine: 'js',
  adapter: () => {
    patchCatalogTypes();
    return Promise.resolve(new PrismaPg(connectionOptions(process.env.DATABASE_URL!)));
  },
});
