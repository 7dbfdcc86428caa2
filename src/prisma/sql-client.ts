import { Inject, Injectable } from '@nestjs/common';
import type { Prisma } from '@prisma/client';
import pg from 'pg';
import { DatabaseConnection } from './database-connection';

/**
 * Column types read the way Prisma's raw queries read them: `bigint` as an exact BigInt (pg gives a
 * string). `timestamptz` (every time column) is a Date either way.
 */
const PARSERS = new Map<number, (text: string) => unknown>([[20, (text) => BigInt(text)]]);

const TYPES = {
  getTypeParser: ((oid: number, format: 'text' | 'binary' = 'text') =>
    (format === 'text' && PARSERS.get(oid)) ||
    (pg.types.getTypeParser(oid, format) as unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Dates travel as ISO instants (UTC, millisecond precision like the columns), whatever the local zone. */
function parameter(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * Typed, hand-written SQL for the hottest paths, on the pool Prisma uses: a `Prisma.sql` statement
 * goes to the driver as it is, without Prisma's per-call query compilation and result mapping
 * (bench/RESULTS.md measures what that costs). Repositories keep it behind their interface, name
 * every column they read and give the row type; everything else stays on the Prisma client.
 */
@Injectable()
export class SqlClient {
  /** The names of the prepared statements, by their text. */
  private readonly prepared = new Map<string, string>();

  constructor(@Inject(DatabaseConnection) private readonly connection: DatabaseConnection) {}

  /**
   * The rows of one statement (a statement is atomic: data-modifying CTEs commit together or not at
   * all). `prepare` makes it a named prepared statement: each connection parses and plans it once,
   * then only binds and runs it. Only for statements with a fixed text (a few variants at most), not
   * for those assembled from optional filters: every text stays prepared on every connection.
   */
  async query<Row>(statement: Prisma.Sql, options: { prepare?: boolean } = {}): Promise<Row[]> {
    const text = statement.text;
    const result = await this.connection.pool.query<Row & pg.QueryResultRow>({
      name: options.prepare ? this.nameOf(text) : undefined,
      text,
      values: statement.values.map(parameter),
      types: TYPES,
    });
    return result.rows;
  }

  private nameOf(text: string): string {
    let name = this.prepared.get(text);
    if (name === undefined) {
      name = `sql_${this.prepared.size + 1}`;
      this.prepared.set(text, name);
    }
    return name;
  }
}
