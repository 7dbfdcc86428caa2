import pg from 'pg';

import { applyMigrations } from '@/database/migrator';

import { prisma, withScratchDatabase } from './embedded';

/**
 * Drift check: the schema the migrations build must equal the one prisma/schema.prisma describes.
 * Builds both in throwaway databases (the migrations; Prisma's SQL for the schema from empty) and
 * compares their catalogs: columns, constraints, indexes and enums.
 */
const CATALOG = `
SELECT 'column ' || table_name || '.' || column_name || ' ' || udt_name || ' nullable=' || is_nullable
       || ' default=' || coalesce(column_default, '-') AS item
  FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
UNION ALL
SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
UNION ALL
SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'
UNION ALL
SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
  FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname
ORDER BY 1`;

async function catalog(connection: pg.ClientConfig): Promise<string[]> {
  const client = new pg.Client(connection);
  await client.connect();
  try {
    return (await client.query<{ item: string }>(CATALOG)).rows.map((row) => row.item);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const fromMigrations = await withScratchDatabase(async (_url, db) => {
    await applyMigrations(db.connection);
    return catalog(db.connection);
  });
  const fromSchema = await withScratchDatabase(async (url, db) => {
    const sql = await prisma(url, [
      'migrate',
      'diff',
      '--from-empty',
      '--to-schema-datamodel',
      'prisma/schema.prisma',
      '--script',
    ]);
    const client = new pg.Client(db.connection);
    await client.connect();
    await client.query(sql);
    await client.end();
    return catalog(db.connection);
  });
  const missing = fromSchema.filter((item) => !fromMigrations.includes(item));
  const extra = fromMigrations.filter((item) => !fromSchema.includes(item));
  if (missing.length === 0 && extra.length === 0) {
    console.log(`Migrations match prisma/schema.prisma (${fromSchema.length} catalog entries compared).`);
    return;
  }
  console.error('The migrations do not build the schema in prisma/schema.prisma:');
  missing.forEach((item) => console.error(`  only in schema.prisma:  ${item}`));
  extra.forEach((item) => console.error(`  only in the migrations: ${item}`));
  console.error('Author a migration for the change: npm run db:migration:new -- <name>');
  process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
