import { Global, Module } from '@nestjs/common';

import { AuditPurge } from './audit.purge';
import { AuditRepository } from './audit.repository';
import { AuditLog } from './audit-log';

/** The audit log, for every module's use cases (global: each records its own changes). */
@Global()
@Module({
  providers: [AuditLog, AuditRepository, AuditPurge],
  exports: [AuditLog],
})
export class AuditLogModule {}
