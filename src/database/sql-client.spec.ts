import { Prisma } from '@prisma/client';
import { PreparedStatement, preparedStatement } from './sql-client';

describe(PreparedStatement.name, () => {
  it('builds its text once and puts each argument where its parameter stands', () => {
    const fragment = (userId: unknown): Prisma.Sql => Prisma.sql`user_id = ${userId}::uuid`;
    const statement = preparedStatement<unknown, [userId: string, at: Date, rows: number]>(
      'spec_values_in_order',
      (userId, at, rows) =>
        Prisma.sql`SELECT * FROM t WHERE ${fragment(userId)} AND at < ${at} AND owner = ${userId} LIMIT ${rows}`,
    );
    expect(statement.text).toBe(
      'SELECT * FROM t WHERE user_id = $1::uuid AND at < $2 AND owner = $3 LIMIT $4',
    );
    const at = new Date('2026-01-02T03:04:05.678Z');
    expect(statement.values(['u', at, 21])).toEqual(['u', '2026-01-02T03:04:05.678Z', 'u', 21]);
  });

  it('refuses a value that is not one of its parameters', () => {
    expect(() =>
      preparedStatement<unknown, [id: string]>('spec_fixed_value', (id) => Prisma.sql`SELECT ${id}, ${42}`),
    ).toThrow(/spec_fixed_value has a value that is not one of its parameters/);
  });

  it('refuses a second statement under a name already taken', () => {
    preparedStatement<unknown, []>('spec_taken', () => Prisma.sql`SELECT 1`);
    expect(() => preparedStatement<unknown, []>('spec_taken', () => Prisma.sql`SELECT 2`)).toThrow(
      /Two prepared statements are named spec_taken/,
    );
  });
});
