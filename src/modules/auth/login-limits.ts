import type { AppConfig } from '@/config/config.module';

/** Past the account's limit, one attempt for the account is let through per slot, in turn. */
export const ACCOUNT_SLOT_MS = 1000;
/** An attempt waits at most this long for its slot; a longer queue is refused for that long. */
export const MAX_DELAY_MS = 10_000;

/** The limits of the three failed-login counts, and their window (docs/architecture/login-limits.md). */
export interface LoginLimits {
  pair: number;
  account: number;
  address: number;
  windowMs: number;
}

export function loginLimits(config: AppConfig): LoginLimits {
  return {
    pair: config.get('LOGIN_FAILURE_LIMIT', { infer: true }),
    account: config.get('LOGIN_ACCOUNT_FAILURE_LIMIT', { infer: true }),
    address: config.get('LOGIN_ADDRESS_FAILURE_LIMIT', { infer: true }),
    windowMs: config.get('LOGIN_FAILURE_WINDOW_MS', { infer: true }),
  };
}
