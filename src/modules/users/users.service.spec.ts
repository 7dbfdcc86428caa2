import { RoleRequiredError } from '@/common/auth/auth.errors';
import type { AuthUser } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import type { SessionStateCache } from '@/common/auth/session-state-cache';
import { CursorCodec, InvalidCursorError } from '@/common/pagination/cursor-codec';
import type { Transaction } from '@/database/sql-executor';
import { fakeTransactions } from '@test/helpers/fake-transactions';
import { strictFake } from '@test/helpers/strict-fake';

import { AuditAction, AuditActorType, AuditTargetType } from '../audit/audit-actions';
import type { AuditContext } from '../audit/audit-context';
import type { AuditLog } from '../audit/audit-log';
import { ListUsersQueryDto } from './dto/user-query.dto';
import { UserNotFoundError } from './users.errors';
import type { UserRecord, UsersRepository, UserWithProfileRecord } from './users.repository';
import { UsersService } from './users.service';

const member: AuthUser = { kind: 'user', id: 'u1', role: UserRole.User, sessionId: 's1' };
const admin: AuthUser = { kind: 'user', id: 'admin', role: UserRole.Admin, sessionId: 's2' };
const cursors = new CursorCodec('unit-test-cursor-secret');
const audit: AuditContext = {
  actor: { type: AuditActorType.User, id: 'admin' },
  ip: '192.0.2.1',
  requestId: 'r1',
};

function userRecord(id: string): UserRecord {
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    id,
    email: `${id}@example.com`,
    username: id,
    name: null,
    avatar: null,
    role: UserRole.User,
    emailVerifiedAt: null,
    suspendedAt: null,
    createdAt: at,
    updatedAt: at,
  };
}

const tx = {} as Transaction;
const withProfile = (id: string): UserWithProfileRecord => ({ ...userRecord(id), profile: null });

const query = (overrides: Partial<ListUsersQueryDto> = {}): ListUsersQueryDto =>
  Object.assign(new ListUsersQueryDto(), { limit: 2 }, overrides);

const build = (
  users: Partial<UsersRepository>,
  userChanged: (userId: string) => Promise<void> = () => Promise.resolve(),
  log: Partial<AuditLog> = {},
) =>
  new UsersService(
    fakeTransactions(tx),
    strictFake<UsersRepository>(users),
    cursors,
    strictFake<SessionStateCache>({ userChanged }),
    strictFake<AuditLog>(log),
  );

async function expectUserNotFound(call: Promise<unknown>): Promise<void> {
  await expect(call).rejects.toThrow(UserNotFoundError);
  await expect(call).rejects.toHaveProperty('code', 'USER_NOT_FOUND');
}

describe(UsersService.name, () => {
  describe('the account of the caller', () => {
    it('reads, changes and deletes the row of the caller, never another', async () => {
      const findByIdWithProfile = jest.fn().mockResolvedValue(withProfile('u1'));
      const update = jest.fn().mockResolvedValue(withProfile('u1'));
      const remove = jest.fn().mockResolvedValue(true);
      const service = build({ findByIdWithProfile, update, delete: remove });

      await expect(service.getMe(member)).resolves.toMatchObject({ id: 'u1', email: 'u1@example.com' });
      await service.updateMe(member, { name: 'Alice', avatar: null });
      await service.deleteMe(member);

      expect(findByIdWithProfile).toHaveBeenCalledWith('u1');
      expect(update).toHaveBeenCalledWith('u1', { name: 'Alice', avatar: null });
      expect(remove).toHaveBeenCalledWith('u1');
    });

    it('forgets the cached sessions of a user it deletes, so no token of theirs is taken on trust', async () => {
      const userChanged = jest.fn();
      await build({ delete: () => Promise.resolve(true) }, userChanged).deleteMe(member);
      expect(userChanged).toHaveBeenCalledWith('u1');
    });

    it('answers not found when the row of the caller is gone', async () => {
      const service = build({
        findByIdWithProfile: () => Promise.resolve(null),
        update: () => Promise.resolve(null),
        delete: () => Promise.resolve(false),
      });
      await expectUserNotFound(service.getMe(member));
      await expectUserNotFound(service.updateMe(member, { name: 'Alice' }));
      await expectUserNotFound(service.deleteMe(member));
    });
  });

  describe('the public view', () => {
    it('shows neither email nor role', async () => {
      const findById = jest.fn().mockResolvedValue(userRecord('u2'));
      const user = await build({ findById }).getPublicUser('u2');
      expect(findById).toHaveBeenCalledWith('u2');
      expect(user).toEqual({
        id: 'u2',
        username: 'u2',
        name: null,
        avatar: null,
        createdAt: expect.any(Date),
      });
    });

    it('answers not found for an unknown user', async () => {
      await expectUserNotFound(build({ findById: () => Promise.resolve(null) }).getPublicUser('nope'));
    });
  });

  describe('admin use cases', () => {
    it.each([
      ['list users', (service: UsersService) => service.listUsers(member, query())],
      ['change a role', (service: UsersService) => service.changeRole(member, 'u2', UserRole.Admin, audit)],
    ])('refuses a non-admin asking to %s, before reading or writing', async (_, call) => {
      const attempt = call(build({}));
      await expect(attempt).rejects.toThrow(RoleRequiredError);
      await expect(attempt).rejects.toHaveProperty('code', 'ROLE_REQUIRED');
    });

    it('changes the role of the user named, records it in the change and forgets their cached sessions', async () => {
      const updateRole = jest.fn().mockResolvedValue({
        user: { ...userRecord('u2'), role: UserRole.Admin },
        previousRole: UserRole.User,
      });
      const userChanged = jest.fn();
      const record = jest.fn().mockResolvedValue(undefined);
      await expect(
        build({ updateRole }, userChanged, { record }).changeRole(admin, 'u2', UserRole.Admin, audit),
      ).resolves.toMatchObject({
        id: 'u2',
        role: UserRole.Admin,
      });
      expect(updateRole).toHaveBeenCalledWith(tx, 'u2', UserRole.Admin);
      expect(record).toHaveBeenCalledWith(tx, audit, {
        action: AuditAction.RoleChanged,
        target: { type: AuditTargetType.User, id: 'u2' },
        metadata: { role: UserRole.Admin, previousRole: UserRole.User },
      });
      expect(userChanged).toHaveBeenCalledWith('u2');
      await expectUserNotFound(
        build({ updateRole: () => Promise.resolve(null) }).changeRole(admin, 'nope', UserRole.User, audit),
      );
    });

    it('pages the list after the last user kept, with the search passed on', async () => {
      const list = jest.fn().mockResolvedValue([userRecord('c'), userRecord('b'), userRecord('a')]);
      const service = build({ list });

      const first = await service.listUsers(admin, query({ q: 'ali' }));
      expect(list).toHaveBeenLastCalledWith({ query: 'ali', limit: 2, afterId: undefined });
      expect(first.data.map((user) => user.id)).toEqual(['c', 'b']);
      expect(first.data[0]).toHaveProperty('email', 'c@example.com');

      list.mockResolvedValue([userRecord('a')]);
      const last = await service.listUsers(admin, query({ q: 'ali', cursor: first.nextCursor! }));
      expect(list).toHaveBeenLastCalledWith({ query: 'ali', limit: 2, afterId: 'b' });
      expect(last.nextCursor).toBeNull();
    });

    it('refuses a cursor of another list, before reading', async () => {
      const cursor = cursors.encode('api-keys:newest', ['b']);
      await expect(build({}).listUsers(admin, query({ cursor }))).rejects.toThrow(InvalidCursorError);
    });
  });
});
