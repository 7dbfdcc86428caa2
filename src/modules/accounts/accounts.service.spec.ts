import { strictFake } from '../../../test/helpers/strict-fake';
import type { AuthUser } from '../../common/auth/auth-user';
import { UserRole } from '../../common/auth/roles';
import { CursorCodec } from '../../common/pagination/cursor-codec';
import { AccountRole } from './account-roles';
import { AccountNotFoundError, AccountRoleRequiredError, MemberNotFoundError } from './accounts.errors';
import type { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';

const actor: AuthUser = { kind: 'user', id: 'actor', role: UserRole.User, sessionId: 's' };
const cursors = new CursorCodec('unit-test-cursor-secret');

/** An account where the actor and the target have the given roles. */
function service(
  actorRole: AccountRole | null,
  targetRole: AccountRole | null,
  repository: Partial<AccountsRepository> = {},
) {
  const findRole = (_accountId: string, userId: string) =>
    Promise.resolve(userId === 'actor' ? actorRole : targetRole);
  return new AccountsService(strictFake<AccountsRepository>({ findRole, ...repository }), cursors);
}

describe(AccountsService.name, () => {
  it.each([
    [AccountRole.Admin, AccountRole.Member, AccountRole.Admin],
    [AccountRole.Admin, AccountRole.Admin, AccountRole.Member],
    [AccountRole.Admin, AccountRole.Owner, AccountRole.Member],
    [AccountRole.Member, AccountRole.Member, AccountRole.Admin],
  ])('refuses a %s changing a %s into a %s, before writing', async (actorRole, targetRole, role) => {
    await expect(
      service(actorRole, targetRole).changeMemberRole(actor, 'a1', 'target', role),
    ).rejects.toThrow(AccountRoleRequiredError);
  });

  it('answers not found when the member left before the locked change', async () => {
    const accounts = service(AccountRole.Owner, AccountRole.Member, {
      changeRole: () => Promise.resolve(false),
    });
    await expect(accounts.changeMemberRole(actor, 'a1', 'target', AccountRole.Admin)).rejects.toThrow(
      MemberNotFoundError,
    );
  });

  it('hides an account from non-members and from API keys', async () => {
    await expect(service(null, AccountRole.Member).listMembers(actor, 'a1', { limit: 20 })).rejects.toThrow(
      AccountNotFoundError,
    );
    const key: AuthUser = {
      kind: 'api-key',
      id: 'actor',
      role: UserRole.User,
      keyId: 'k',
      accountId: 'a1',
      scopes: [],
    };
    await expect(service(AccountRole.Owner, null).getAccount(key, 'a1')).rejects.toThrow(
      AccountNotFoundError,
    );
  });

  it('lets a member leave without managing anyone', async () => {
    const removeMember = jest.fn().mockResolvedValue(true);
    await service(AccountRole.Member, AccountRole.Member, { removeMember }).removeMember(
      actor,
      'a1',
      'actor',
    );
    expect(removeMember).toHaveBeenCalledWith('a1', 'actor');
    await expect(
      service(AccountRole.Member, AccountRole.Member).removeMember(actor, 'a1', 'other'),
    ).rejects.toThrow(AccountRoleRequiredError);
  });
});
