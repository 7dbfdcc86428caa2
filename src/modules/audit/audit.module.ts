import { Module } from '@nestjs/common';

import { AccountsModule } from '../accounts/accounts.module';
import { AccountAuditController, AdminAuditController } from './audit.controller';
import { AuditService } from './audit.service';

/** The routes that read the audit log. */
@Module({
  imports: [AccountsModule],
  controllers: [AdminAuditController, AccountAuditController],
  providers: [AuditService],
})
export class AuditModule {}
