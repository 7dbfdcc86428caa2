import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { prisma, withScratchDatabase } from './embedded';

/**
 * Authors the next migration from the change to prisma/schema.prisma since a git revision (HEAD by
 * default): `npm run db:migration:new -- add_post_search [--from <rev>]`. Prisma's `migrate dev`
 * cannot run here, so the SQL is a pure datamodel diff; the engine only needs a scratch database.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const fromIndex = args.indexOf('--from');
  const from = fromIndex >= 0 ? args.splice(fromIndex, 2)[1] : 'HEAD';
  const name = args[0];
  if (!name || !/^[a-z0-9_]+$/.test(name) || !from) {
    console.error('Usage: npm run db:migration:new -- <snake_case_name> [--from <git revision>]');
    process.exit(2);
  }
  const previous = path.join(mkdtempSync(path.join(tmpdir(), 'schema-')), 'schema.prisma');
  writeFileSync(
    previous,
    execFileSync('git', ['show', `${from}:prisma/schema.prisma`], { encoding: 'utf8' }),
  );
  const sql = await withScratchDatabase((url) =>
    prisma(url, [
      'migrate',
      'diff',
      '--from-schema-datamodel',
      previous,
      '--to-schema-datamodel',
      'prisma/schema.prisma',
      '--script',
    ]),
  );
  if (!sql.trim() || sql.includes('This is an empty migration')) {
    console.log(`prisma/schema.prisma has not changed since ${from}: no migration written.`);
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const folder = path.join('prisma', 'migrations', `${stamp}_${name}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'migration.sql'), sql);
  console.log(`Wrote ${folder}/migration.sql: review it, then run npm run db:check-migrations.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
