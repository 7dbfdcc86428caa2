import type { ApiKeyCaller, SessionCaller } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';

/** A signed-in person, as the authentication guard hands them to a service. */
export function userCaller(overrides: Partial<SessionCaller> = {}): SessionCaller {
  return { kind: 'user', id: 'u1', role: UserRole.User, sessionId: 's1', ...overrides };
}

/** An integrator's API key acting for an account, as the authentication guard hands it to a service. */
export function apiKeyCaller(overrides: Partial<ApiKeyCaller> = {}): ApiKeyCaller {
  return {
    kind: 'api-key',
    id: 'u1',
    role: UserRole.User,
    keyId: 'k1',
    accountId: 'a1',
    scopes: [],
    ...overrides,
  };
}
