import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit-log';
import { AuditRepository } from './audit.repository';

/** The audit log, for every module's use cases (global: each records its own changes). */
@Global()
@Module({
  providers: [AuditLog, AuditRepository],
  exports: [AuditLog, AuditRepository],
})
export class AuditLogModule {}
