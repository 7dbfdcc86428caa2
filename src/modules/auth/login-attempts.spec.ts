import type { AppConfig } from '@/config/config.module';
import { strictFake } from '@test/helpers/strict-fake';

import { TooManyLoginAttemptsError } from './auth.errors';
import { LoginAttempts, MemoryLoginWindows } from './login-attempts';
import { loginLimits } from './login-limits';

const settings: Record<string, number> = {
  LOGIN_FAILURE_LIMIT: 2,
  LOGIN_ACCOUNT_FAILURE_LIMIT: 4,
  LOGIN_ADDRESS_FAILURE_LIMIT: 6,
  LOGIN_FAILURE_WINDOW_MS: 1000,
};
const config = strictFake<AppConfig>({ get: (key: string) => settings[key] });
const limits = loginLimits(config);

function refusal(attempt: () => unknown): TooManyLoginAttemptsError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof TooManyLoginAttemptsError) {
      return error;
    }
    throw error;
  }
  throw new Error('not refused');
}

describe(MemoryLoginWindows.name, () => {
  it('refuses an address for an account past the pair limit, and nobody else', () => {
    const attempts = new MemoryLoginWindows(limits);
    attempts.recordFailure('a@example.com', '192.0.2.1', 0);
    attempts.recordFailure('a@example.com', '192.0.2.1', 0);
    expect(refusal(() => attempts.reserve('a@example.com', '192.0.2.1', 200)).retryAfterSeconds).toBe(1);
    expect(attempts.reserve('a@example.com', '192.0.2.2', 200)).toBe(0); // the owner elsewhere
    expect(attempts.reserve('b@example.com', '192.0.2.1', 200)).toBe(0); // another account
    expect(attempts.reserve('a@example.com', '192.0.2.1', 1000)).toBe(0); // the window ended
  });

  it('slows an account past its limit to one attempt a second, in turn, without refusing it', () => {
    const attempts = new MemoryLoginWindows(limits);
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']) {
      attempts.recordFailure('a@example.com', ip, 0);
    }
    expect(attempts.reserve('a@example.com', '192.0.2.9', 10)).toBe(0);
    expect(attempts.reserve('a@example.com', '192.0.2.9', 10)).toBe(1000);
    expect(attempts.reserve('a@example.com', '192.0.2.8', 10)).toBe(2000);
    expect(attempts.reserve('b@example.com', '192.0.2.9', 10)).toBe(0);
  });

  it('refuses an account whose queue is over ten seconds long', () => {
    const attempts = new MemoryLoginWindows(limits);
    for (let i = 0; i < 4; i += 1) {
      attempts.recordFailure('a@example.com', `192.0.2.${i}`, 0);
    }
    for (let i = 0; i <= 10; i += 1) {
      attempts.reserve('a@example.com', '198.51.100.1', 0);
    }
    expect(refusal(() => attempts.reserve('a@example.com', '198.51.100.1', 0)).retryAfterSeconds).toBe(1);
  });

  it('refuses an address past its own, looser limit, for every account', () => {
    const attempts = new MemoryLoginWindows(limits);
    for (let i = 0; i < 6; i += 1) {
      attempts.recordFailure(`user${i}@example.com`, '192.0.2.7', 0);
    }
    expect(() => attempts.reserve('new@example.com', '192.0.2.7', 10)).toThrow(TooManyLoginAttemptsError);
    expect(attempts.reserve('new@example.com', '192.0.2.8', 10)).toBe(0);
  });

  it('clears the account and its pair on success', () => {
    const attempts = new MemoryLoginWindows(limits);
    attempts.recordFailure('a@example.com', '192.0.2.1', 0);
    attempts.recordFailure('a@example.com', '192.0.2.1', 0);
    attempts.recordSuccess('a@example.com', '192.0.2.1');
    expect(attempts.reserve('a@example.com', '192.0.2.1', 10)).toBe(0);
  });

  it('forgets ended windows when many accumulate', () => {
    const attempts = new MemoryLoginWindows(limits);
    for (let i = 0; i < 5_000; i += 1) {
      attempts.recordFailure(`user${i}@example.com`, '192.0.2.4', 0);
    }
    attempts.recordFailure('late@example.com', '192.0.2.5', 5000);
    expect((attempts as unknown as { windows: Map<string, unknown> }).windows.size).toBe(3);
  });
});

describe(LoginAttempts.name, () => {
  it('counts in process memory without Redis', async () => {
    const attempts = new LoginAttempts(config);
    await attempts.recordFailure('a@example.com', '192.0.2.1');
    await attempts.recordFailure('a@example.com', '192.0.2.1');
    await expect(attempts.waitForTurn('a@example.com', '192.0.2.1')).rejects.toThrow(
      TooManyLoginAttemptsError,
    );
    await attempts.recordSuccess('a@example.com', '192.0.2.1');
    await expect(attempts.reserve('a@example.com', '192.0.2.1')).resolves.toBe(0);
  });
});
