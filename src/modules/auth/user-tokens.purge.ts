import { Injectable, OnModuleInit } from '@nestjs/common';

import { Purges } from '@/jobs/purge/purges';

import { UserTokensRepository } from './user-tokens.repository';

/** Has the scheduled purge delete the tokens of mailed links past their expiry, used or not. */
@Injectable()
export class UserTokensPurge implements OnModuleInit {
  constructor(
    private readonly purges: Purges,
    private readonly userTokens: UserTokensRepository,
  ) {}

  onModuleInit(): void {
    this.purges.register('userTokens', (now, limit) => this.userTokens.deleteExpired(now, limit));
  }
}
