import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';

import { classifyPrismaError } from '@/database/prisma-errors';
import type { Transaction } from '@/database/sql-executor';

import { UserNotFoundError } from '../users/users.errors';
import { PUBLIC_USER_SELECT } from '../users/users.repository';
import { AccountRole } from './account-roles';
import { AlreadyMemberError, LastOwnerError } from './accounts.errors';

const ACCOUNT_SELECT = {
  id: true,
  name: true,
  createdAt: true,
  updatedAt: true,
  version: true,
} satisfies Prisma.AccountSelect;
const MEMBER_SELECT = {
  role: true,
  createdAt: true,
  user: { select: PUBLIC_USER_SELECT },
} satisfies Prisma.UserAccountSelect;

export type AccountRecord = Prisma.AccountGetPayload<{ select: typeof ACCOUNT_SELECT }>;
export type MembershipRecord = { account: AccountRecord; role: AccountRole };
export type MemberRecord = Prisma.UserAccountGetPayload<{ select: typeof MEMBER_SELECT }>;

@Injectable()
export class AccountsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Creates an account with its first member, the owner, in one write. */
  async create(name: string, ownerId: string): Promise<AccountRecord> {
    return this.prisma.account.create({
      data: { name, members: { create: { userId: ownerId, role: AccountRole.Owner } } },
      select: ACCOUNT_SELECT,
    });
  }

  async findRole(accountId: string, userId: string): Promise<AccountRole | null> {
    const membership = await this.prisma.userAccount.findUnique({
      where: { userId_accountId: { userId, accountId } },
      select: { role: true },
    });
    return membership?.role ?? null;
  }

  async findMembership(accountId: string, userId: string): Promise<MembershipRecord | null> {
    const membership = await this.prisma.userAccount.findUnique({
      where: { userId_accountId: { userId, accountId } },
      relationLoadStrategy: 'join',
      select: { role: true, account: { select: ACCOUNT_SELECT } },
    });
    return membership;
  }

  /** A page of a user's accounts (newest first) with their role; `limit + 1` rows. */
  listForUser(userId: string, limit: number, afterAccountId?: string): Promise<MembershipRecord[]> {
    return this.prisma.userAccount.findMany({
      where: { userId, ...(afterAccountId ? { accountId: { lt: afterAccountId } } : {}) },
      orderBy: { accountId: 'desc' },
      take: limit + 1,
      relationLoadStrategy: 'join',
      select: { role: true, account: { select: ACCOUNT_SELECT } },
    });
  }

  /** Renames an account, raising its version; null when it is gone or (given `version`) no longer at it. */
  async rename(accountId: string, name: string, version?: number): Promise<AccountRecord | null> {
    try {
      return await this.prisma.account.update({
        where: { id: accountId, version },
        data: { name, version: { increment: 1 } },
        select: ACCOUNT_SELECT,
      });
    } catch (error) {
      if (classifyPrismaError(error) === 'not_found') {
        return null;
      }
      throw error;
    }
  }

  /** Deletes an account, its memberships and API keys; its posts stay with their authors. */
  async delete(accountId: string): Promise<void> {
    await this.prisma.account.deleteMany({ where: { id: accountId } });
  }

  /** A page of members, oldest membership first; `limit + 1` rows. */
  listMembers(accountId: string, limit: number, afterUserId?: string): Promise<MemberRecord[]> {
    return this.prisma.userAccount.findMany({
      where: { accountId, ...(afterUserId ? { userId: { gt: afterUserId } } : {}) },
      orderBy: { userId: 'asc' },
      take: limit + 1,
      relationLoadStrategy: 'join',
      select: MEMBER_SELECT,
    });
  }

  findMember(accountId: string, userId: string): Promise<MemberRecord | null> {
    return this.prisma.userAccount.findUnique({
      where: { userId_accountId: { userId, accountId } },
      relationLoadStrategy: 'join',
      select: MEMBER_SELECT,
    });
  }

  /**
   * Adds a member, in `tx`; AlreadyMemberError when the user is one, UserNotFoundError when there is no
   * such user.
   */
  async addMember(
    tx: Transaction,
    accountId: string,
    userId: string,
    role: AccountRole,
  ): Promise<MemberRecord> {
    try {
      return await tx.userAccount.create({ data: { accountId, userId, role }, select: MEMBER_SELECT });
    } catch (error) {
      const failure = classifyPrismaError(error);
      if (failure === 'unique') {
        throw new AlreadyMemberError();
      }
      if (failure === 'foreign_key') {
        throw new UserNotFoundError();
      }
      throw error;
    }
  }

  /**
   * Changes a member's role, in `tx`, with the account's owners locked (`lockOwners`); the role it
   * replaced, or null when the user is not a member; LastOwnerError when the account would be left
   * without an owner.
   */
  async changeRole(
    tx: Transaction,
    accountId: string,
    userId: string,
    role: AccountRole,
  ): Promise<AccountRole | null> {
    const previousRole = await this.lockOwners(tx, accountId, userId, role !== AccountRole.Owner);
    if (previousRole) {
      await tx.userAccount.update({ where: { userId_accountId: { userId, accountId } }, data: { role } });
    }
    return previousRole;
  }

  /**
   * Removes a member, and revokes the API keys they created for the account (a key acts as its
   * creator, who no longer belongs to it), in `tx`, with the account's owners locked (`lockOwners`).
   * The role they had and how many keys went; null when the user is not a member; LastOwnerError when
   * they are the last owner.
   */
  async removeMember(
    tx: Transaction,
    accountId: string,
    userId: string,
  ): Promise<{ role: AccountRole; apiKeysRevoked: number } | null> {
    const role = await this.lockOwners(tx, accountId, userId, true);
    if (!role) {
      return null;
    }
    await tx.userAccount.delete({ where: { userId_accountId: { userId, accountId } } });
    const { count } = await tx.apiKey.updateMany({
      where: { accountId, createdById: userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return { role, apiKeysRevoked: count };
  }

  /**
   * Locks the account row for the rest of `tx`, before a change of one membership, so two concurrent
   * changes cannot both remove "the other" owner; the member's role, or null when the user is not a
   * member. LastOwnerError, before anything is written, when the change takes an owner away
   * (`losesOwner` and the member is one) and no other owner remains.
   */
  private async lockOwners(
    tx: Transaction,
    accountId: string,
    userId: string,
    losesOwner: boolean,
  ): Promise<AccountRole | null> {
    await tx.$queryRaw`SELECT id FROM accounts WHERE id = ${accountId}::uuid FOR UPDATE`;
    const member = await tx.userAccount.findUnique({
      where: { userId_accountId: { userId, accountId } },
      select: { role: true },
    });
    if (!member) {
      return null;
    }
    if (losesOwner && member.role === AccountRole.Owner) {
      const owners = await tx.userAccount.count({ where: { accountId, role: AccountRole.Owner } });
      if (owners <= 1) {
        throw new LastOwnerError();
      }
    }
    return member.role;
  }
}
