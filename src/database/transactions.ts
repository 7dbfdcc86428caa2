import { Injectable } from '@nestjs/common';
import { PrismaService } from 'nestjs-prisma';
import type { Transaction } from './sql-executor';

/**
 * Runs a use case's writes in one interactive transaction, for services whose change spans several
 * repositories and a job: each repository method and `JobsService.send` is handed the transaction,
 * and everything commits or nothing does. Inside `work`, use only the transaction (see SendOptions).
 */
@Injectable()
export class Transactions {
  constructor(private readonly prisma: PrismaService) {}

  run<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
  }
}
