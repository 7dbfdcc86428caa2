import type { AuthUser } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import { CursorCodec } from '@/common/pagination/cursor-codec';
import type { Transaction } from '@/database/sql-executor';
import { apiKeyCaller } from '@test/factories/callers';
import { fakeTransactions } from '@test/helpers/fake-transactions';
import { strictFake } from '@test/helpers/strict-fake';

import { AuditAction, AuditActorType, AuditTargetType } from '../audit/audit-actions';
import type { AuditContext } from '../audit/audit-context';
import type { AuditLog } from '../audit/audit-log';
import { AccountRole } from './account-roles';
import { AccountNotFoundError, AccountRoleRequiredError, MemberNotFoundError } from './accounts.errors';
import type { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';

const actor: AuthUser = { kind: 'user', id: 'actor', role: UserRole.User, sessionId: 's' };
const cursors = new CursorCodec('unit-test-cursor-secret');
const audit: AuditContext = {
  actor: { type: AuditActorType.User, id: 'actor' },
  ip: '192.0.2.1',
  requestId: 'r1',
};
const tx = {} as Transaction;

/** An account where the actor and the target have the given roles. */
function service(
  actorRole: AccountRole | null,
  targetRole: AccountRole | null,
  repository: Partial<AccountsRepository> = {},
  log: Partial<AuditLog> = {},
) {
  const findRole = (_accountId: string, userId: string) =>
    Promise.resolve(userId === 'actor' ? actorRole : targetRole);
  return new AccountsService(
    fakeTransactions(tx),
    strictFake<AccountsRepository>({ findRole, ...repository }),
    cursors,
    strictFake<AuditLog>(log),
  );
}

describe(AccountsService.name, () => {
  it.each([
    [AccountRole.Admin, AccountRole.Member, AccountRole.Admin],
    [AccountRole.Admin, AccountRole.Admin, AccountRole.Member],
    [AccountRole.Admin, AccountRole.Owner, AccountRole.Member],
    [AccountRole.Member, AccountRole.Member, AccountRole.Admin],
  ])('refuses a %s changing a %s into a %s, before writing', async (actorRole, targetRole, role) => {
    await expect(
      service(actorRole, targetRole).changeMemberRole(actor, 'a1', 'target', role, audit),
    ).rejects.toThrow(AccountRoleRequiredError);
  });

  it('answers not found when the member left before the locked change', async () => {
    const accounts = service(AccountRole.Owner, AccountRole.Member, {
      changeRole: () => Promise.resolve(null),
    });
    await expect(accounts.changeMemberRole(actor, 'a1', 'target', AccountRole.Admin, audit)).rejects.toThrow(
      MemberNotFoundError,
    );
  });

  it('hides an account from non-members and from API keys', async () => {
    await expect(service(null, AccountRole.Member).listMembers(actor, 'a1', { limit: 20 })).rejects.toThrow(
      AccountNotFoundError,
    );
    const key: AuthUser = apiKeyCaller({ id: 'actor', keyId: 'k' });
    await expect(service(AccountRole.Owner, null).getAccount(key, 'a1')).rejects.toThrow(
      AccountNotFoundError,
    );
  });

  it('lets a member leave without managing anyone, and records it in the removal', async () => {
    const record = jest.fn().mockResolvedValue(undefined);
    const removeMember = jest.fn().mockResolvedValue({ role: AccountRole.Member, apiKeysRevoked: 2 });
    await service(AccountRole.Member, AccountRole.Member, { removeMember }, { record }).removeMember(
      actor,
      'a1',
      'actor',
      audit,
    );
    expect(removeMember).toHaveBeenCalledWith(tx, 'a1', 'actor');
    expect(record).toHaveBeenCalledWith(tx, audit, {
      action: AuditAction.MemberRemoved,
      target: { type: AuditTargetType.User, id: 'actor' },
      accountId: 'a1',
      metadata: { role: AccountRole.Member, apiKeysRevoked: 2 },
    });
    await expect(
      service(AccountRole.Member, AccountRole.Member).removeMember(actor, 'a1', 'other', audit),
    ).rejects.toThrow(AccountRoleRequiredError);
  });

  it('records a role change with the role it replaced, and nothing when the role stays', async () => {
    const record = jest.fn().mockResolvedValue(undefined);
    const changeRole = jest.fn().mockResolvedValue(AccountRole.Member);
    const findMember = () => Promise.resolve(null);
    const accounts = service(AccountRole.Owner, AccountRole.Member, { changeRole, findMember }, { record });
    await expect(accounts.changeMemberRole(actor, 'a1', 'target', AccountRole.Admin, audit)).rejects.toThrow(
      MemberNotFoundError,
    );
    expect(changeRole).toHaveBeenCalledWith(tx, 'a1', 'target', AccountRole.Admin);
    expect(record).toHaveBeenCalledWith(tx, audit, {
      action: AuditAction.MemberChanged,
      target: { type: AuditTargetType.User, id: 'target' },
      accountId: 'a1',
      metadata: { role: AccountRole.Admin, previousRole: AccountRole.Member },
    });
    record.mockClear();
    await expect(accounts.changeMemberRole(actor, 'a1', 'target', AccountRole.Member, audit)).rejects.toThrow(
      MemberNotFoundError,
    );
    expect(record).not.toHaveBeenCalled();
  });
});
