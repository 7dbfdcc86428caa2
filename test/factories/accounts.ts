import type { ApiClient } from '../helpers/api-client';
import { RegisteredUser, registerUser } from './users';

export interface AccountWithMembers {
  id: string;
  owner: RegisteredUser;
  admin: RegisteredUser;
  member: RegisteredUser;
}

/** An account with an OWNER (its creator), an ADMIN and a MEMBER. */
export async function createAccountWithMembers(
  api: ApiClient,
  name = 'Harbour Homes',
): Promise<AccountWithMembers> {
  const owner = await registerUser(api);
  const admin = await registerUser(api);
  const member = await registerUser(api);
  const account = await api.post('/v1/accounts', { name }, { token: owner.accessToken });
  if (account.status !== 201) {
    throw new Error(`account creation failed: ${account.status} ${account.text}`);
  }
  for (const [user, role] of [
    [admin, 'ADMIN'],
    [member, 'MEMBER'],
  ] as const) {
    const added = await api.post(
      `/v1/accounts/${account.body.id}/members`,
      { userId: user.id, role },
      { token: owner.accessToken },
    );
    if (added.status !== 201) {
      throw new Error(`member creation failed: ${added.status} ${added.text}`);
    }
  }
  return { id: account.body.id, owner, admin, member };
}

/** Creates an API key of an account and returns its secret. */
export async function createApiKey(
  api: ApiClient,
  accountId: string,
  token: string,
  scopes: string[],
): Promise<string> {
  const response = await api.post(
    `/v1/accounts/${accountId}/api-keys`,
    { name: 'integration', scopes },
    { token },
  );
  if (response.status !== 201) {
    throw new Error(`key creation failed: ${response.status} ${response.text}`);
  }
  return response.body.secret;
}
