import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit-log';
import { AuditPurge } from './audit.purge';
import { AuditRepository } from './audit.repository';

/** The audit log, for every module's use cases (global: each records its own changes). */
@Global()
@Module({
  providers: [AuditLog, AuditRepository, AuditPurge],
  exports: [AuditLog],
})
export class AuditLogModule {}
