/** Roles in an account (the values of the database enum `AccountRole`). */
export const AccountRole = { Owner: 'OWNER', Admin: 'ADMIN', Member: 'MEMBER' } as const;
export type AccountRole = (typeof AccountRole)[keyof typeof AccountRole];
export const ACCOUNT_ROLES = Object.values(AccountRole);

/** Owners and admins manage an account's posts, members (admins: members only) and API keys. */
export function isManager(role: AccountRole | null | undefined): boolean {
  return role === AccountRole.Owner || role === AccountRole.Admin;
}
