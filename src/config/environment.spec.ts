import { ConfigurationError, validateEnvironment } from './environment';

describe(validateEnvironment.name, () => {
  it('applies defaults to an empty environment and generates a development secret', () => {
    const env = validateEnvironment({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.DATA_DIR).toBe('.data');
    expect(env.JWT_SECRET).toHaveLength(64);
    expect(env.generatedSecrets).toEqual(['JWT_SECRET', 'WEBHOOK_SECRET_KEY']);
  });

  it('converts numbers and booleans from their string form', () => {
    const env = validateEnvironment({ PORT: '8080', DB_MIGRATE_ON_START: 'true', DB_POOL_SIZE: '4' });
    expect(env).toMatchObject({ PORT: 8080, DB_MIGRATE_ON_START: true, DB_POOL_SIZE: 4 });
  });

  it('bounds the heap growth setting, 0 leaving it to V8', () => {
    expect(validateEnvironment({}).HEAP_GROWTH_PERCENT).toBe(150);
    expect(validateEnvironment({ HEAP_GROWTH_PERCENT: '0' }).HEAP_GROWTH_PERCENT).toBe(0);
    expect(() => validateEnvironment({ HEAP_GROWTH_PERCENT: '301' })).toThrow(/HEAP_GROWTH_PERCENT/);
    expect(() => validateEnvironment({ HEAP_GROWTH_PERCENT: '-1' })).toThrow(/HEAP_GROWTH_PERCENT/);
  });

  it('runs job workers by default and checks the jobs settings', () => {
    expect(validateEnvironment({})).toMatchObject({
      JOBS_WORKERS: true,
      JOBS_POLL_INTERVAL_MS: 2000,
      PURGE_CRON: '*/10 * * * *',
    });
    expect(validateEnvironment({ JOBS_WORKERS: 'false' }).JOBS_WORKERS).toBe(false);
    expect(() => validateEnvironment({ JOBS_POLL_INTERVAL_MS: '10' })).toThrow(/JOBS_POLL_INTERVAL_MS/);
    expect(() => validateEnvironment({ PURGE_CRON: 'every ten minutes' })).toThrow(/PURGE_CRON/);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      validateEnvironment({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
        DB_POOL_SIZE: '0',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const problems = (error as ConfigurationError).problems.join('\n');
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'DB_POOL_SIZE']) {
      expect(problems).toContain(name);
    }
  });

  it('requires a JWT secret in production', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(
      validateEnvironment({
        NODE_ENV: 'production',
        JWT_SECRET: 's'.repeat(32),
        WEBHOOK_SECRET_KEY: 'w'.repeat(32),
      }).generatedSecrets,
    ).toEqual([]);
  });

  it('requires a webhook secret key in production, and reads the retry schedule as given', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(32) })).toThrow(
      /WEBHOOK_SECRET_KEY/,
    );
    expect(() => validateEnvironment({ WEBHOOK_RETRY_SCHEDULE_S: '0,5,x' })).toThrow(
      /WEBHOOK_RETRY_SCHEDULE_S/,
    );
    expect(validateEnvironment({ WEBHOOK_ALLOW_INSECURE: 'true' }).WEBHOOK_ALLOW_INSECURE).toBe(true);
  });

  it('keeps Redis off by default and bounds its command timeout to what a request may wait', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({ REDIS_PREFIX: 'listings:', REDIS_COMMAND_TIMEOUT_MS: 100 });
    expect(env.REDIS_URL).toBeUndefined();
    expect(validateEnvironment({ REDIS_URL: 'redis://localhost:6379' }).REDIS_URL).toBe(
      'redis://localhost:6379',
    );
    expect(() => validateEnvironment({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL/);
    expect(() => validateEnvironment({ REDIS_COMMAND_TIMEOUT_MS: '101' })).toThrow(
      /REDIS_COMMAND_TIMEOUT_MS/,
    );
    expect(() => validateEnvironment({ REDIS_PREFIX: 'with space' })).toThrow(/REDIS_PREFIX/);
  });

  it('refuses a short JWT secret', () => {
    expect(() => validateEnvironment({ JWT_SECRET: 'short' })).toThrow(/at least 32 characters/);
  });
});
