import type { AuthUser } from '@/common/auth/auth-user';

import { AccountRole, isManager } from './account-roles';
import { AccountNotFoundError, AccountRoleRequiredError } from './accounts.errors';
import type { AccountsRepository } from './accounts.repository';

/**
 * The caller's role in an account when it is OWNER or ADMIN. Not a person who is a member (an API key,
 * another user, no such account): 404; a MEMBER: 403 naming `what` they may not do.
 */
export async function requireAccountManager(
  accounts: AccountsRepository,
  actor: AuthUser,
  accountId: string,
  what: string,
): Promise<AccountRole> {
  const role = actor.kind === 'user' ? await accounts.findRole(accountId, actor.id) : null;
  if (!role) {
    throw new AccountNotFoundError();
  }
  if (!isManager(role)) {
    throw new AccountRoleRequiredError(what);
  }
  return role;
}
