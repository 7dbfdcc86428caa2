import type { Prisma } from '@prisma/client';
import type pg from 'pg';

/**
 * Runs statements given as text with `$n` parameters: the interface pg-boss sends its statements
 * through (its `db` option), so that they can run on the application's pool or inside one of its
 * transactions.
 */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A Prisma interactive transaction: the `tx` of `prisma.$transaction(async (tx) => ...)`. */
export type Transaction = Prisma.TransactionClient;

/** Statements on the application's pool (`DatabaseConnection.pool`). */
export function poolExecutor(pool: pg.Pool): SqlExecutor {
  return { executeSql: (text, values) => pool.query(text, values) };
}

/**
 * Statements inside an interactive transaction, on its connection: what they write commits or rolls
 * back with the transaction.
 */
export function transactionExecutor(transaction: Transaction): SqlExecutor {
  return {
    executeSql: async (text, values = []) => ({
      rows: await transaction.$queryRawUnsafe<unknown[]>(text, ...values),
    }),
  };
}
