import { Global, Module } from '@nestjs/common';

import { PurgeJob } from './purge.job';
import { Purges } from './purges';

/** The scheduled purge; global, so that each feature registers its own dead rows in `Purges`. */
@Global()
@Module({
  providers: [Purges, PurgeJob],
  exports: [Purges],
})
export class PurgeModule {}
