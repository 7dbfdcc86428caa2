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

/** An argument of a prepared statement: where it goes in the statement's text. */
export class SqlParameter {
  constructor(readonly position: number) {}
}

type ParametersOf<Args extends readonly unknown[]> = { [K in keyof Args]: SqlParameter };

/**
 * A statement whose text never changes, prepared once per connection under its name. It is written
 * with `Prisma.sql` over parameters instead of values, so its text and the order of its values are
 * worked out once, when the module loads, not on every call:
 *
 *     const BY_ID = preparedStatement<Row, [id: string]>('things_by_id', (id) =>
 *       Prisma.sql`SELECT ... WHERE id = ${id}::uuid`);
 *     await sql.run(BY_ID, [id]);
 *
 * A statement that varies (an optional filter, say) is one prepared statement per variant.
 */
export class PreparedStatement<Row, Args extends readonly unknown[]> {
  private static readonly names = new Set<string>();
  readonly text: string;
  /** For each `$n` of the text, the argument that it takes. */
  private readonly positions: readonly number[];

  constructor(
    readonly name: string,
    build: (...parameters: ParametersOf<Args>) => Prisma.Sql,
  ) {
    if (PreparedStatement.names.has(name)) {
      throw new Error(`Two prepared statements are named ${name}`);
    }
    const parameters = Array.from({ length: build.length }, (_, position) => new SqlParameter(position));
    const statement = build(...(parameters as ParametersOf<Args>));
    this.text = statement.text;
    this.positions = statement.values.map((value) => {
      if (!(value instanceof SqlParameter)) {
        throw new Error(`Prepared statement ${name} has a value that is not one of its parameters`);
      }
      return value.position;
    });
    PreparedStatement.names.add(name);
  }

  /** The values to send with the text, in the order of its `$n`. */
  values(args: Args): unknown[] {
    return this.positions.map((position) => parameter(args[position]));
  }

  /** Never set: carries the row type to `SqlClient.run`. */
  declare readonly rowType?: Row;
}

export function preparedStatement<Row, Args extends readonly unknown[]>(
  name: string,
  build: (...parameters: ParametersOf<Args>) => Prisma.Sql,
): PreparedStatement<Row, Args> {
  return new PreparedStatement(name, build);
}

/**
 * Typed, hand-written SQL for the hottest paths, on the pool Prisma uses: a statement goes to the
 * driver as it is, without Prisma's per-call query compilation and result mapping (bench/RESULTS.md
 * measures what that costs). Repositories keep it behind their interface, name every column they read
 * and give the row type; everything else stays on the Prisma client.
 */
@Injectable()
export class SqlClient {
  constructor(@Inject(DatabaseConnection) private readonly connection: DatabaseConnection) {}

  /**
   * The rows of a prepared statement (a statement is atomic: data-modifying CTEs commit together or not
   * at all). Each connection parses and plans it once, then only binds and runs it.
   */
  async run<Row, Args extends readonly unknown[]>(
    statement: PreparedStatement<Row, Args>,
    args: Args,
  ): Promise<Row[]> {
    const result = await this.connection.pool.query<Row & pg.QueryResultRow>({
      name: statement.name,
      text: statement.text,
      values: statement.values(args),
      types: TYPES,
    });
    return result.rows;
  }

  /** The rows of a statement assembled per call (from optional filters, say): parsed and planned each time. */
  async query<Row>(statement: Prisma.Sql): Promise<Row[]> {
    const result = await this.connection.pool.query<Row & pg.QueryResultRow>({
      text: statement.text,
      values: statement.values.map(parameter),
      types: TYPES,
    });
    return result.rows;
  }
}
