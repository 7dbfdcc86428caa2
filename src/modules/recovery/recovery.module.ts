import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/auth.module';
import { UsersModule } from '../users/users.module';
import { MailRequestLimits } from './mail-request-limits';
import { EmailChangeController, RecoveryController } from './recovery.controller';
import { RecoveryService } from './recovery.service';

/** Account recovery and email ownership: password reset by mail, email verification, change of address. */
@Module({
  imports: [AuthModule, UsersModule],
  controllers: [RecoveryController, EmailChangeController],
  providers: [RecoveryService, MailRequestLimits],
})
export class RecoveryModule {}
