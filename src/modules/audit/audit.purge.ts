import { Injectable, OnModuleInit } from '@nestjs/common';

import { AppConfig } from '@/config/config.module';
import { Purges } from '@/jobs/purge/purges';

import { AuditRepository } from './audit.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Has the scheduled purge delete audit events older than AUDIT_RETENTION_DAYS. */
@Injectable()
export class AuditPurge implements OnModuleInit {
  constructor(
    private readonly purges: Purges,
    private readonly events: AuditRepository,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const retentionMs = this.config.get('AUDIT_RETENTION_DAYS', { infer: true }) * DAY_MS;
    this.purges.register('auditEvents', (now, limit) =>
      this.events.deleteBefore(new Date(now.getTime() - retentionMs), limit),
    );
  }
}
