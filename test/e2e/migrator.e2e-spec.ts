import { applyMigrations, MigrationError, readMigrations } from '@/database/migrator';
import { connectionOptions } from '@/database/pg-connection';

import { createTestDatabase, TestDatabase } from '../helpers/test-database';

describe('migrator', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(); // migrated with every migration of this code
  });

  afterAll(async () => {
    await database.drop();
  });

  it('applies nothing to a database that has every migration', async () => {
    expect(await applyMigrations(connectionOptions(database.url))).toEqual([]);
  });

  it('refuses a database where a migration was applied from a file that has since been edited', async () => {
    const migrations = await readMigrations();
    const edited = migrations.map((migration, index) =>
      index === 0
        ? { ...migration, sql: `${migration.sql}\n-- edited`, checksum: 'f'.repeat(64) }
        : migration,
    );
    await expect(applyMigrations(connectionOptions(database.url), edited)).rejects.toThrow(
      new MigrationError(
        `Migration ${migrations[0].name} was edited after it was applied (checksum differs): restore the file, or add a new migration`,
      ),
    );
  });

  it('refuses a database that holds a migration this code does not know', async () => {
    const migrations = await readMigrations();
    const older = migrations.slice(0, -1);
    await expect(applyMigrations(connectionOptions(database.url), older)).rejects.toThrow(
      /has migration .*, which this code does not know/,
    );
  });
});
