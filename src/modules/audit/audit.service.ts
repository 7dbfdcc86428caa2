import { Injectable } from '@nestjs/common';

import { assertAdmin } from '@/common/auth/assert-admin';
import type { AuthUser } from '@/common/auth/auth-user';
import type { PageDto } from '@/common/pagination/page.dto';

import { requireAccountManager } from '../accounts/account-access';
import { AccountsRepository } from '../accounts/accounts.repository';
import { AuditLog } from './audit-log';
import type { AuditEventDto } from './dto/audit-event.dto';
import type { AccountAuditQueryDto, AuditQueryDto } from './dto/audit-query.dto';

/** Who reads which events: admins the whole log, an account's OWNERs and ADMINs its own events. */
@Injectable()
export class AuditService {
  constructor(
    private readonly audit: AuditLog,
    private readonly accounts: AccountsRepository,
  ) {}

  list(actor: AuthUser, query: AuditQueryDto): Promise<PageDto<AuditEventDto>> {
    assertAdmin(actor);
    const { actorId, targetId, action, from, to } = query;
    return this.audit.list({ actorId, targetId, action, from, to }, query);
  }

  async listForAccount(
    actor: AuthUser,
    accountId: string,
    query: AccountAuditQueryDto,
  ): Promise<PageDto<AuditEventDto>> {
    await requireAccountManager(this.accounts, actor, accountId, "read the account's audit events");
    const { action, from, to } = query;
    return this.audit.list({ accountId, action, from, to }, query);
  }
}
