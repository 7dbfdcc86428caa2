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

/** What the client reads a column of each type as (`PARSERS`: int8 as a BigInt). */
interface SqlValues {
  bool: boolean;
  int4: number;
  int8: bigint;
  float8: number;
  text: string;
  'text[]': string[];
  uuid: string;
  timestamptz: Date;
  /** Parsed by the driver; the declaration narrows it (`column('json').as<T>()`). */
  json: unknown;
}

/** The type of a result column, as `pg_type` names it (an array as `text[]`, not `_text`). */
export type SqlType = keyof SqlValues;

/** A declared column type; a trailing `?` when the column can be null. */
export type ColumnType = SqlType | `${SqlType}?`;

type BaseOf<Type extends ColumnType> = Type extends `${infer Base extends SqlType}?` ? Base : Type;
type ValueOf<Type extends ColumnType> = Type extends SqlType
  ? SqlValues[Type]
  : SqlValues[BaseOf<Type>] | null;

/** A column whose values are fewer than its type allows (an enum read as text): `column('text').as<Role>()`. */
export interface NarrowedColumn<Type extends ColumnType, Value> {
  readonly type: Type;
  /** Never set: carries the value type to `RowOf`. */
  readonly value?: Value;
}

export function column<Type extends ColumnType>(
  type: Type,
): { as<Value extends ValueOf<Type>>(): NarrowedColumn<Type, Value> } {
  return { as: () => ({ type }) };
}

type ColumnDeclaration = ColumnType | NarrowedColumn<ColumnType, unknown>;

/** The columns of a statement's rows, by name: the one source of its row type (`RowOf`). */
export type Columns = Readonly<Record<string, ColumnDeclaration>>;

/** The row that a statement declaring `C` returns. */
export type RowOf<C extends Columns> = {
  -readonly [K in keyof C]: C[K] extends NarrowedColumn<ColumnType, infer Value>
    ? Value
    : C[K] extends ColumnType
      ? ValueOf<C[K]>
      : never;
};

type Nullable<D extends ColumnDeclaration> =
  D extends NarrowedColumn<infer Type, infer Value>
    ? NarrowedColumn<`${BaseOf<Type>}?`, Value | null>
    : D extends ColumnType
      ? `${BaseOf<D>}?`
      : never;

function nullableType(type: ColumnType): ColumnType {
  return type.endsWith('?') ? type : `${type as SqlType}?`;
}

/** The same columns, each of which can be null (those of an outer join). */
export function nullable<C extends Columns>(columns: C): { [K in keyof C]: Nullable<C[K]> } {
  return Object.fromEntries(
    Object.entries(columns).map(([name, declared]) => [
      name,
      typeof declared === 'string' ? nullableType(declared) : { type: nullableType(declared.type) },
    ]),
  ) as { [K in keyof C]: Nullable<C[K]> };
}

function sqlTypeOf(declared: ColumnDeclaration): SqlType {
  const type = typeof declared === 'string' ? declared : declared.type;
  return (type.endsWith('?') ? type.slice(0, -1) : type) as SqlType;
}

/**
 * A statement whose text never changes, prepared once per connection under its name; its text and the
 * order of its values are worked out once, as the module loads, and its row type comes from the columns
 * it declares (docs/architecture/data-access.md#typed-sql-prepared-statements).
 */
export class PreparedStatement<Row, Args extends readonly unknown[]> {
  private static readonly registered = new Map<string, PreparedStatement<unknown, readonly unknown[]>>();

  /** Every statement declared so far (by the modules loaded), for tests to check against the database. */
  static all(): PreparedStatement<unknown, readonly unknown[]>[] {
    return [...PreparedStatement.registered.values()];
  }

  readonly text: string;
  /** The type of each column of its rows (whether it can be null, results do not tell). */
  readonly columns: Readonly<Record<string, SqlType>>;
  /** For each `$n` of the text, the argument that it takes. */
  private readonly positions: readonly number[];

  constructor(
    readonly name: string,
    columns: Columns,
    build: (...parameters: ParametersOf<Args>) => Prisma.Sql,
  ) {
    if (PreparedStatement.registered.has(name)) {
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
    this.columns = Object.fromEntries(
      Object.entries(columns).map(([name, declared]) => [name, sqlTypeOf(declared)]),
    );
    PreparedStatement.registered.set(name, this);
  }

  /** The values to send with the text, in the order of its `$n`. */
  values(args: Args): unknown[] {
    return this.positions.map((position) => parameter(args[position]));
  }

  /** Never set: carries the row type to `SqlClient.run`. */
  declare readonly rowType?: Row;
}

/** A statement taking `Args`; `.returning(columns)` declares its rows' columns and registers it. */
export function preparedStatement<Args extends readonly unknown[]>(
  name: string,
  build: (...parameters: ParametersOf<Args>) => Prisma.Sql,
): { returning<C extends Columns>(columns: C): PreparedStatement<RowOf<C>, Args> } {
  return { returning: (columns) => new PreparedStatement(name, columns, build) };
}

/**
 * Typed, hand-written SQL for the hottest paths, on the pool Prisma uses: a statement goes to the
 * driver as it is, without Prisma's per-call query compilation and result mapping (bench/RESULTS.md
 * measures what that costs). Repositories keep it behind their interface, name every column they read
 * and declare its type; everything else stays on the Prisma client.
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
