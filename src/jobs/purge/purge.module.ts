import { Module } from '@nestjs/common';
import { AuthModule } from '../../modules/auth/auth.module';
import { PurgeJob } from './purge.job';

/** The scheduled purge of dead sessions and expired idempotency records (the repositories' owners). */
@Module({
  imports: [AuthModule],
  providers: [PurgeJob],
})
export class PurgeModule {}
