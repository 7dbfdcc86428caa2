import { randomUUID } from 'node:crypto';

import type pg from 'pg';

import { DatabaseConnection } from '@/database/database-connection';
import { PreparedStatement, SqlType } from '@/database/sql-client';

import { startTestApp, TestApp } from '../helpers/test-app';

/** Arguments of the right types for every statement, with ids that match no row. */
const SAMPLE_ARGS: Record<string, readonly unknown[]> = {
  health_probe: [],
  session_state: [randomUUID()],
  posts_by_id: [randomUUID()],
  posts_by_id_for_viewer: [randomUUID(), randomUUID()],
  saved_posts_first: [randomUUID(), 3],
  saved_posts_after: [randomUUID(), new Date(), randomUUID(), 3],
  chat_messages_first: [randomUUID(), randomUUID(), 3],
  chat_messages_after: [randomUUID(), randomUUID(), new Date(), randomUUID(), 3],
  chat_send_message: [randomUUID(), randomUUID(), randomUUID(), 'a message', new Date()],
  chat_participant_ids: [randomUUID()],
  profiles_upsert: [randomUUID(), randomUUID(), 'bio', null, 30, null, null, new Date()],
  reports_open: [randomUUID(), randomUUID(), randomUUID(), 'SPAM', null, new Date()],
  sessions_open: [
    randomUUID(),
    randomUUID(),
    'hash',
    'agent',
    '127.0.0.1',
    new Date(),
    JSON.stringify({ id: randomUUID() }),
  ],
};

/** The rows a statement returns for its sample arguments: none, but for the probe's constant one. */
const SAMPLE_ROWS: Record<string, number> = { health_probe: 1 };

/** `pg_type`'s name of a declared type: `text[]` is `_text`. */
function typname(type: SqlType): string {
  return type.endsWith('[]') ? `_${type.slice(0, -2)}` : type;
}

/** How the columns a statement returned differ from those it declares: one line each, none when they agree. */
function columnMismatches(
  declared: Readonly<Record<string, SqlType>>,
  fields: readonly Pick<pg.FieldDef, 'name' | 'dataTypeID'>[],
  oids: ReadonlyMap<string, number>,
): string[] {
  const names = new Map([...oids].map(([name, oid]) => [oid, name]));
  const mismatches: string[] = [];
  const seen = new Set<string>();
  for (const field of fields) {
    if (seen.has(field.name)) {
      mismatches.push(`${field.name}: returned twice`);
    }
    seen.add(field.name);
    const type = declared[field.name];
    if (type === undefined) {
      mismatches.push(`${field.name}: returned, not declared`);
    } else if (oids.get(typname(type)) !== field.dataTypeID) {
      const returned = names.get(field.dataTypeID) ?? `oid ${field.dataTypeID}`;
      mismatches.push(`${field.name}: declared ${type}, returned ${returned}`);
    }
  }
  for (const name of Object.keys(declared)) {
    if (!seen.has(name)) {
      mismatches.push(`${name}: declared, not returned`);
    }
  }
  return mismatches;
}

describe('prepared statements', () => {
  let server: TestApp;
  let pool: pg.Pool;
  let oids: Map<string, number>;

  beforeAll(async () => {
    // Booting loads every module, so every statement is registered, and migrates the database.
    server = await startTestApp();
    pool = server.app.get(DatabaseConnection).pool;
    const types = await pool.query<{ oid: number; typname: string }>(
      `SELECT oid, typname FROM pg_type WHERE typnamespace = 'pg_catalog'::regnamespace`,
    );
    oids = new Map(types.rows.map((row) => [row.typname, row.oid]));
  });

  afterAll(async () => {
    await server.close();
  });

  /** Runs every statement with its sample arguments in one transaction, rolled back: the columns of each. */
  async function runAll(statements: readonly PreparedStatement<unknown, readonly unknown[]>[]) {
    const client = await pool.connect();
    const results = new Map<string, pg.QueryResult | Error>();
    try {
      await client.query('BEGIN');
      for (const statement of statements) {
        await client.query('SAVEPOINT statement');
        try {
          const args = SAMPLE_ARGS[statement.name];
          results.set(
            statement.name,
            await client.query({
              name: statement.name,
              text: statement.text,
              values: statement.values(args),
            }),
          );
        } catch (error) {
          results.set(statement.name, error as Error);
          await client.query('ROLLBACK TO SAVEPOINT statement');
        }
      }
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    return results;
  }

  it('has sample arguments for exactly the registered statements', () => {
    const names = PreparedStatement.all().map((statement) => statement.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !(name in SAMPLE_ARGS))).toEqual([]);
    expect(Object.keys(SAMPLE_ARGS).filter((name) => !names.includes(name))).toEqual([]);
  });

  it('returns the columns each statement declares, of the declared types, and no row for unknown ids', async () => {
    const statements = PreparedStatement.all().filter((statement) => statement.name in SAMPLE_ARGS);
    const results = await runAll(statements);
    const problems: Record<string, string[]> = {};
    for (const statement of statements) {
      const result = results.get(statement.name)!;
      const found =
        result instanceof Error
          ? [`failed: ${result.message}`]
          : [
              ...columnMismatches(statement.columns, result.fields, oids),
              ...(result.rows.length === (SAMPLE_ROWS[statement.name] ?? 0)
                ? []
                : [`returned ${result.rows.length} rows`]),
            ];
      if (found.length) {
        problems[statement.name] = found;
      }
    }
    expect(problems).toEqual({});
  });

  it('reports a declaration that does not match what its statement returns', async () => {
    const statement = PreparedStatement.all().find((candidate) => candidate.name === 'session_state')!;
    const result = (await runAll([statement])).get(statement.name) as pg.QueryResult;
    expect(columnMismatches(statement.columns, result.fields, oids)).toEqual([]);
    const { expiresAt: _, ...wrong } = statement.columns;
    expect(
      columnMismatches(
        { ...wrong, rotationCounter: 'int8', role: 'uuid', name: 'text' },
        result.fields,
        oids,
      ),
    ).toEqual([
      'role: declared uuid, returned text',
      'rotationCounter: declared int8, returned int4',
      'expiresAt: returned, not declared',
      'name: declared, not returned',
    ]);
    expect(columnMismatches(statement.columns, [...result.fields, result.fields[0]], oids)).toEqual([
      'id: returned twice',
    ]);
  });
});
