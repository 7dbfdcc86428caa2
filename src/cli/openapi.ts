import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

import { AppModule } from '../app.module';
import { VERSION } from '../app.setup';
import { buildOpenApiDocument } from '../openapi/openapi.document';

/**
 * Writes openapi.json from the code, without a server or a database (Nest's preview mode wires the
 * modules but instantiates nothing). With --check, fails instead when the committed file differs.
 */
async function main(): Promise<void> {
  const target = path.resolve(__dirname, '..', '..', 'openapi.json');
  const app = await NestFactory.create(AppModule.forRoot({ envFile: false }), new FastifyAdapter(), {
    preview: true,
    logger: ['error'],
  });
  const document = `${JSON.stringify(buildOpenApiDocument(app, VERSION), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    const committed = readFileSync(target, 'utf8');
    if (committed !== document) {
      console.error('openapi.json differs from what the code produces: run `npm run openapi` and commit it.');
      process.exit(1);
    }
    console.log('openapi.json matches the code.');
    return;
  }
  writeFileSync(target, document);
  console.log(`Wrote ${path.relative(process.cwd(), target)}`);
}

void main();
