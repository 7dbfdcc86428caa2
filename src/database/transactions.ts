import { Injectable } from '@nestjs/common';
import { PrismaService } from 'nestjs-prisma';

import type { Transaction } from './sql-executor';

/**
 * Runs a use case's writes in one interactive transaction, opened by its service: each repository
 * write (as its first argument) and each side effect (an audit or webhook event, `JobsService.send`,
 * `MailService.send`) is handed the transaction, and everything commits or nothing does. Inside `work`,
 * use only the transaction (see SendOptions). The convention: docs/architecture/data-access.md.
 */
@Injectable()
export class Transactions {
  constructor(private readonly prisma: PrismaService) {}

  run<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
  }
}
