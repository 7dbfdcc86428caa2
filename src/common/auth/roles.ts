/** Platform roles of a user (the values of the database enum `Role`). */
export const UserRole = { User: 'USER', Admin: 'ADMIN' } as const;
export type UserRole = (typeof UserRole)[keyof typeof UserRole];
export const USER_ROLES = Object.values(UserRole);
