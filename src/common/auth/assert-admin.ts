import { RoleRequiredError } from './auth.errors';
import type { AuthUser } from './auth-user';
import { UserRole } from './roles';

/**
 * The rule of every platform-admin use case (users, suspensions, reports, the audit log). Admin routes
 * are also guarded by role; the services hold the rule themselves.
 */
export function assertAdmin(actor: AuthUser): void {
  if (actor.role !== UserRole.Admin) {
    throw new RoleRequiredError([UserRole.Admin]);
  }
}
