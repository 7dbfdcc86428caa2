import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/auth-user';
import { UserRole } from '../../common/auth/roles';
import { ForbiddenError } from '../../common/errors/domain-error';
import { CursorCodec } from '../../common/pagination/cursor-codec';
import { PageDto, toPage } from '../../common/pagination/page.dto';
import type { UserAdminDto, UserDto, UserPublicDto } from './dto/user.dto';
import type { UpdateUserDto } from './dto/update-user.dto';
import type { ListUsersQueryDto } from './dto/list-users.query.dto';
import { UserNotFoundError } from './users.errors';
import { toUserAdminDto, toUserDto, toUserPublicDto } from './users.mapper';
import { UsersRepository } from './users.repository';

const USERS_CURSOR = 'users:newest';

export class AdminOnlyError extends ForbiddenError {
  constructor() {
    super('ADMIN_ONLY', 'Only platform administrators may do this.');
  }
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly cursors: CursorCodec,
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
    if (!(await this.users.delete(actor.id))) {
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
    const afterId = query.cursor ? String(this.cursors.decode(USERS_CURSOR, query.cursor, 1)[0]) : undefined;
    const rows = await this.users.list({ query: query.q, limit: query.limit, afterId });
    return toPage(rows, query.limit, (row) => this.cursors.encode(USERS_CURSOR, [row.id]), toUserAdminDto);
  }

  async changeRole(actor: AuthUser, id: string, role: UserRole): Promise<UserAdminDto> {
    assertAdmin(actor);
    const user = await this.users.updateRole(id, role);
    if (!user) {
      throw new UserNotFoundError();
    }
    return toUserAdminDto(user);
  }
}

/** Admin routes are also guarded by role; the service holds the rule itself. */
function assertAdmin(actor: AuthUser): void {
  if (actor.role !== UserRole.Admin) {
    throw new AdminOnlyError();
  }
}
