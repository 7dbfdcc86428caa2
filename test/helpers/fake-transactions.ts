import type { Transaction } from '@/database/sql-executor';
import type { Transactions } from '@/database/transactions';

import { strictFake } from './strict-fake';

/**
 * `Transactions` for unit tests: `run` hands its work `tx`, a stand-in transaction that the fakes of
 * repositories and services are expected to receive; nothing commits or rolls back.
 */
export function fakeTransactions(tx: Transaction = {} as Transaction): Transactions {
  return strictFake<Transactions>({ run: <T>(work: (transaction: Transaction) => Promise<T>) => work(tx) });
}
