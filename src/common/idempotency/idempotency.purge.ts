import { Injectable, OnModuleInit } from '@nestjs/common';

import { Purges } from '@/jobs/purge/purges';

import { IdempotencyRepository } from './idempotency.repository';

/** Has the scheduled purge delete idempotency records past their expiry. */
@Injectable()
export class IdempotencyPurge implements OnModuleInit {
  constructor(
    private readonly purges: Purges,
    private readonly records: IdempotencyRepository,
  ) {}

  onModuleInit(): void {
    this.purges.register('idempotencyRecords', (now, limit) => this.records.deleteExpired(now, limit));
  }
}
