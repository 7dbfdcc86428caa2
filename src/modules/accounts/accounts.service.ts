import { Injectable } from '@nestjs/common';

import type { AuthUser } from '@/common/auth/auth-user';
import { PreconditionFailedError } from '@/common/errors/domain-error';
import type { IfMatch } from '@/common/http/conditional';
import { CursorCodec, Keyset } from '@/common/pagination/cursor-codec';
import type { PageDto } from '@/common/pagination/page.dto';
import type { PageQueryDto } from '@/common/pagination/page-query.dto';
import type { Transaction } from '@/database/sql-executor';
import { Transactions } from '@/database/transactions';

import { AuditAction, AuditTargetType } from '../audit/audit-actions';
import type { AuditContext } from '../audit/audit-context';
import { AuditLog, AuditMetadata } from '../audit/audit-log';
import { AccountRole, isManager } from './account-roles';
import { AccountNotFoundError, AccountRoleRequiredError, MemberNotFoundError } from './accounts.errors';
import { toAccountDto, toMemberDto } from './accounts.mapper';
import { AccountsRepository, MemberRecord, MembershipRecord } from './accounts.repository';
import type { AccountDto, MemberDto } from './dto/account.dto';

const ACCOUNTS = Keyset.byId<MembershipRecord>('accounts:newest', (membership) => membership.account.id);
const MEMBERS = Keyset.byId<MemberRecord>('members:by-user', (member) => member.user.id);

/**
 * Accounts and their members. Non-members get 404 for everything (the account's existence does not
 * leak); members who may see but not do something get 403. OWNERs and ADMINs manage MEMBERs; only
 * OWNERs manage ADMINs and OWNERs; anyone may leave; the last OWNER can neither leave nor be demoted.
 */
@Injectable()
export class AccountsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly accounts: AccountsRepository,
    private readonly cursors: CursorCodec,
    private readonly audit: AuditLog,
  ) {}

  async createAccount(actor: AuthUser, name: string): Promise<AccountDto> {
    const account = await this.accounts.create(name, actor.id);
    return toAccountDto({ account, role: AccountRole.Owner });
  }

  async listAccounts(actor: AuthUser, page: PageQueryDto): Promise<PageDto<AccountDto>> {
    return this.cursors.page(
      ACCOUNTS,
      page,
      (after) => this.accounts.listForUser(actor.id, page.limit, after),
      toAccountDto,
    );
  }

  async getAccount(actor: AuthUser, accountId: string): Promise<AccountDto> {
    const membership = actor.kind === 'user' ? await this.accounts.findMembership(accountId, actor.id) : null;
    if (!membership) {
      throw new AccountNotFoundError();
    }
    return toAccountDto(membership);
  }

  /** With `ifMatch`, renames only the account the caller last read. */
  async renameAccount(
    actor: AuthUser,
    accountId: string,
    name: string,
    ifMatch?: IfMatch,
  ): Promise<AccountDto> {
    const role = await this.roleOf(actor, accountId);
    if (role !== AccountRole.Owner) {
      throw new AccountRoleRequiredError('change the account');
    }
    let version: number | undefined;
    if (ifMatch) {
      const current = await this.accounts.findMembership(accountId, actor.id);
      version = ifMatch.versionOf(current, toAccountDto, (membership) => membership.account.version);
    }
    const account = await this.accounts.rename(accountId, name, version);
    if (!account) {
      throw version === undefined ? new AccountNotFoundError() : new PreconditionFailedError();
    }
    return toAccountDto({ account, role });
  }

  async deleteAccount(actor: AuthUser, accountId: string): Promise<void> {
    if ((await this.roleOf(actor, accountId)) !== AccountRole.Owner) {
      throw new AccountRoleRequiredError('delete the account');
    }
    await this.accounts.delete(accountId);
  }

  async listMembers(actor: AuthUser, accountId: string, page: PageQueryDto): Promise<PageDto<MemberDto>> {
    await this.roleOf(actor, accountId);
    return this.cursors.page(
      MEMBERS,
      page,
      (after) => this.accounts.listMembers(accountId, page.limit, after),
      toMemberDto,
    );
  }

  async addMember(
    actor: AuthUser,
    accountId: string,
    userId: string,
    role: AccountRole,
    audit: AuditContext,
  ): Promise<MemberDto> {
    assertMayManage(await this.roleOf(actor, accountId), role);
    const memberId = userId.toLowerCase();
    const member = await this.transactions.run(async (tx) => {
      const added = await this.accounts.addMember(tx, accountId, memberId, role);
      await this.memberEvent(tx, audit, AuditAction.MemberAdded, accountId, memberId, { role });
      return added;
    });
    return toMemberDto(member);
  }

  async changeMemberRole(
    actor: AuthUser,
    accountId: string,
    userId: string,
    role: AccountRole,
    audit: AuditContext,
  ): Promise<MemberDto> {
    const actorRole = await this.roleOf(actor, accountId);
    const target = await this.accounts.findRole(accountId, userId);
    if (!target) {
      throw new MemberNotFoundError();
    }
    // Both the role the member has and the one it gets must be within the caller's reach.
    assertMayManage(actorRole, target);
    assertMayManage(actorRole, role);
    await this.transactions.run(async (tx) => {
      const previousRole = await this.accounts.changeRole(tx, accountId, userId, role);
      if (!previousRole) {
        throw new MemberNotFoundError();
      }
      if (previousRole !== role) {
        await this.memberEvent(tx, audit, AuditAction.MemberChanged, accountId, userId, {
          role,
          previousRole,
        });
      }
    });
    const member = await this.accounts.findMember(accountId, userId);
    if (!member) {
      throw new MemberNotFoundError();
    }
    return toMemberDto(member);
  }

  /** Removes a member; any member may remove themselves (leave). */
  async removeMember(actor: AuthUser, accountId: string, userId: string, audit: AuditContext): Promise<void> {
    const actorRole = await this.roleOf(actor, accountId);
    if (actor.id !== userId) {
      const target = await this.accounts.findRole(accountId, userId);
      if (!target) {
        throw new MemberNotFoundError();
      }
      assertMayManage(actorRole, target);
    }
    await this.transactions.run(async (tx) => {
      const removed = await this.accounts.removeMember(tx, accountId, userId);
      if (!removed) {
        throw new MemberNotFoundError();
      }
      const { role, apiKeysRevoked } = removed;
      await this.memberEvent(tx, audit, AuditAction.MemberRemoved, accountId, userId, {
        role,
        apiKeysRevoked,
      });
    });
  }

  /** A change of a membership, shown in the account's audit: its target is the member. */
  private memberEvent(
    tx: Transaction,
    audit: AuditContext,
    action: AuditAction.MemberAdded | AuditAction.MemberChanged | AuditAction.MemberRemoved,
    accountId: string,
    userId: string,
    metadata: AuditMetadata,
  ): Promise<void> {
    return this.audit.record(tx, audit, {
      action,
      target: { type: AuditTargetType.User, id: userId },
      accountId,
      metadata,
    });
  }

  /** The caller's role in an account; not a member (or no such account): 404. */
  private async roleOf(actor: AuthUser, accountId: string): Promise<AccountRole> {
    const role = actor.kind === 'user' ? await this.accounts.findRole(accountId, actor.id) : null;
    if (!role) {
      throw new AccountNotFoundError();
    }
    return role;
  }
}

/** OWNERs manage every role; ADMINs manage MEMBERs only; MEMBERs manage no one. */
function assertMayManage(actorRole: AccountRole, targetRole: AccountRole): void {
  const allowed =
    actorRole === AccountRole.Owner || (isManager(actorRole) && targetRole === AccountRole.Member);
  if (!allowed) {
    throw new AccountRoleRequiredError(`manage ${targetRole} members`);
  }
}
