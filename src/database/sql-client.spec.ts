import { Prisma } from '@prisma/client';

import { column, nullable, PreparedStatement, preparedStatement } from './sql-client';

describe(PreparedStatement.name, () => {
  it('builds its text once and puts each argument where its parameter stands', () => {
    const fragment = (userId: unknown): Prisma.Sql => Prisma.sql`user_id = ${userId}::uuid`;
    const statement = preparedStatement<[userId: string, at: Date, rows: number]>(
      'spec_values_in_order',
      (userId, at, rows) =>
        Prisma.sql`SELECT * FROM t WHERE ${fragment(userId)} AND at < ${at} AND owner = ${userId} LIMIT ${rows}`,
    ).returning({});
    expect(statement.text).toBe(
      'SELECT * FROM t WHERE user_id = $1::uuid AND at < $2 AND owner = $3 LIMIT $4',
    );
    const at = new Date('2026-01-02T03:04:05.678Z');
    expect(statement.values(['u', at, 21])).toEqual(['u', '2026-01-02T03:04:05.678Z', 'u', 21]);
  });

  it('refuses a value that is not one of its parameters', () => {
    expect(() =>
      preparedStatement<[id: string]>('spec_fixed_value', (id) => Prisma.sql`SELECT ${id}, ${42}`).returning(
        {},
      ),
    ).toThrow(/spec_fixed_value has a value that is not one of its parameters/);
  });

  it('refuses a second statement under a name already taken', () => {
    preparedStatement<[]>('spec_taken', () => Prisma.sql`SELECT 1`).returning({});
    expect(() => preparedStatement<[]>('spec_taken', () => Prisma.sql`SELECT 2`).returning({})).toThrow(
      /Two prepared statements are named spec_taken/,
    );
  });

  it('keeps the type of each declared column, nullable or narrowed, and lists itself among all statements', () => {
    const columns = { id: 'uuid', name: 'text?', role: column('text').as<'USER' | 'ADMIN'>() } as const;
    const statement = preparedStatement<[]>('spec_columns', () => Prisma.sql`SELECT 1`).returning(columns);
    const outer = preparedStatement<[]>('spec_outer', () => Prisma.sql`SELECT 1`).returning(
      nullable(columns),
    );
    expect(statement.columns).toEqual({ id: 'uuid', name: 'text', role: 'text' });
    expect(outer.columns).toEqual({ id: 'uuid', name: 'text', role: 'text' });
    expect(PreparedStatement.all()).toEqual(expect.arrayContaining([statement, outer]));
  });
});
