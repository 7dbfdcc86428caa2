import { strictFake } from '../../../test/helpers/strict-fake';
import type { AppConfig } from '../../config/config.module';
import { TooManyLoginAttemptsError } from './auth.errors';
import { LoginAttempts } from './login-attempts';

const settings: Record<string, number> = { LOGIN_FAILURE_LIMIT: 2, LOGIN_FAILURE_WINDOW_MS: 1000 };
const config = strictFake<AppConfig>({ get: (key: string) => settings[key] });

describe(LoginAttempts.name, () => {
  it('blocks an account and an address past the limit, until the window ends', () => {
    const attempts = new LoginAttempts(config);
    attempts.recordFailure('a@example.com', '192.0.2.1', 0);
    attempts.recordFailure('a@example.com', '192.0.2.2', 0);
    expect(() => attempts.assertAllowed('a@example.com', '192.0.2.9', 10)).toThrow(TooManyLoginAttemptsError);
    expect(() => attempts.assertAllowed('b@example.com', '192.0.2.9', 10)).not.toThrow();
    expect(() => attempts.assertAllowed('a@example.com', '192.0.2.9', 1000)).not.toThrow();
  });

  it('says how long to wait', () => {
    const attempts = new LoginAttempts(config);
    attempts.recordFailure('c@example.com', '192.0.2.3', 0);
    attempts.recordFailure('d@example.com', '192.0.2.3', 0);
    try {
      attempts.assertAllowed('e@example.com', '192.0.2.3', 200);
      throw new Error('not blocked');
    } catch (error) {
      expect(error).toBeInstanceOf(TooManyLoginAttemptsError);
      expect((error as TooManyLoginAttemptsError).retryAfterSeconds).toBe(1);
    }
  });

  it('forgets ended windows when many accumulate', () => {
    const attempts = new LoginAttempts(config);
    for (let i = 0; i < 10_000; i += 1) {
      attempts.recordFailure(`user${i}@example.com`, '192.0.2.4', 0);
    }
    attempts.recordFailure('late@example.com', '192.0.2.5', 5000);
    expect((attempts as unknown as { windows: Map<string, unknown> }).windows.size).toBe(2);
  });
});
