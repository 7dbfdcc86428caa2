import { Injectable } from '@nestjs/common';

import { assertAdmin } from '@/common/auth/assert-admin';
import type { AuthUser } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import { SessionStateCache } from '@/common/auth/session-state-cache';
import { CursorCodec, Keyset } from '@/common/pagination/cursor-codec';
import type { PageDto } from '@/common/pagination/page.dto';
import { Transactions } from '@/database/transactions';

import { AuditAction, AuditTargetType } from '../audit/audit-actions';
import type { AuditContext } from '../audit/audit-context';
import { AuditLog } from '../audit/audit-log';
import type { UserAdminDto, UserDto, UserPublicDto } from './dto/user.dto';
import type { UpdateUserDto } from './dto/user-input.dto';
import type { ListUsersQueryDto } from './dto/user-query.dto';
import { UserNotFoundError } from './users.errors';
import { toUserAdminDto, toUserDto, toUserPublicDto } from './users.mapper';
import { UserRecord, UsersRepository } from './users.repository';

const USERS = Keyset.byId<UserRecord>('users:newest', (user) => user.id);

@Injectable()
export class UsersService {
  constructor(
    private readonly transactions: Transactions,
    private readonly users: UsersRepository,
    private readonly cursors: CursorCodec,
    private readonly callers: SessionStateCache,
    private readonly audit: AuditLog,
  ) {}

  async getMe(actor: AuthUser): Promise<UserDto> {
    const user = await this.users.findByIdWithProfile(actor.id);
    if (!user) {
      throw new UserNotFoundError();
    }
    return toUserDto(user);
  }

  async updateMe(actor: AuthUser, changes: UpdateUserDto): Promise<UserDto> {
    const user = await this.users.update(actor.id, changes);
    if (!user) {
      throw new UserNotFoundError();
    }
    return toUserDto(user);
  }

  async deleteMe(actor: AuthUser): Promise<void> {
    const deleted = await this.users.delete(actor.id);
    await this.callers.userChanged(actor.id);
    if (!deleted) {
      throw new UserNotFoundError();
    }
  }

  async getPublicUser(id: string): Promise<UserPublicDto> {
    const user = await this.users.findById(id);
    if (!user) {
      throw new UserNotFoundError();
    }
    return toUserPublicDto(user);
  }

  async listUsers(actor: AuthUser, query: ListUsersQueryDto): Promise<PageDto<UserAdminDto>> {
    assertAdmin(actor);
    return this.cursors.page(
      USERS,
      query,
      (afterId) => this.users.list({ query: query.q, limit: query.limit, afterId }),
      toUserAdminDto,
    );
  }

  /** Recorded in the audit log when the role is another than the user had. */
  async changeRole(actor: AuthUser, id: string, role: UserRole, audit: AuditContext): Promise<UserAdminDto> {
    assertAdmin(actor);
    const user = await this.transactions.run(async (tx) => {
      const changed = await this.users.updateRole(tx, id, role);
      if (changed && changed.previousRole !== role) {
        await this.audit.record(tx, audit, {
          action: AuditAction.RoleChanged,
          target: { type: AuditTargetType.User, id },
          metadata: { role, previousRole: changed.previousRole },
        });
      }
      return changed?.user;
    });
    await this.callers.userChanged(id);
    if (!user) {
      throw new UserNotFoundError();
    }
    return toUserAdminDto(user);
  }
}
