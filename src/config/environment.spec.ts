import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ConfigurationError, keepSecrets, SECRETS_FILE, validateEnvironment } from './environment';

const ROOT = process.cwd();

/** The problems `raw` is refused with, one line per variable. */
function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    validateEnvironment(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error('the environment was accepted');
}

describe(validateEnvironment.name, () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'environment-'));
    // The defaults are development's, whose generated secrets are kept in DATA_DIR: never the checkout's.
    process.chdir(folder);
  });
  afterEach(() => {
    process.chdir(ROOT);
    rmSync(folder, { recursive: true, force: true });
  });

  it('applies defaults to an empty environment and generates a development secret', () => {
    const env = validateEnvironment({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.DATA_DIR).toBe('.data');
    expect(env.JWT_SECRET).toHaveLength(64);
    expect(env.generatedSecrets).toEqual(['JWT_SECRET', 'WEBHOOK_SECRET_KEY']);
    expect(env.secretsFile).toBe(path.join(process.cwd(), '.data', SECRETS_FILE));
  });

  it('converts numbers and booleans from their string form', () => {
    const env = validateEnvironment({ PORT: '8080', DB_MIGRATE_ON_START: 'true', DB_POOL_SIZE: '4' });
    expect(env).toMatchObject({ PORT: 8080, DB_MIGRATE_ON_START: true, DB_POOL_SIZE: 4 });
  });

  it('bounds the heap growth setting, 0 leaving it to V8', () => {
    expect(validateEnvironment({}).HEAP_GROWTH_PERCENT).toBe(50);
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

  it('gives each bad variable one line with the first rule it breaks', () => {
    expect(problemsOf({ PORT: 'abc' })).toEqual(['PORT: must be a whole number from 0 to 65535']);
    expect(problemsOf({ PORT: '70000', DB_CONNECT_TIMEOUT_MS: '5', DATABASE_URL: 'mysql://x' })).toEqual([
      'PORT: must be a whole number from 0 to 65535',
      'DATABASE_URL: must be a postgresql:// URL',
      'DB_CONNECT_TIMEOUT_MS: must be a whole number of at least 100',
    ]);
  });

  it('says a missing secret is required in production, and a short one too short', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'JWT_SECRET: required when NODE_ENV=production',
      'WEBHOOK_SECRET_KEY: required when NODE_ENV=production',
    ]);
    expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'short', WEBHOOK_SECRET_KEY: '' })).toEqual([
      'JWT_SECRET: must be at least 32 characters long',
      'WEBHOOK_SECRET_KEY: required when NODE_ENV=production',
    ]);
  });

  it('accepts empty, * or a list of http(s) origins for CORS, and names the entries that are not origins', () => {
    for (const origins of [
      '',
      '*',
      'https://app.example.com',
      'http://localhost:5173, https://a.example.com:8443',
    ]) {
      expect(validateEnvironment({ CORS_ORIGINS: origins }).CORS_ORIGINS).toBe(origins);
    }
    expect(problemsOf({ CORS_ORIGINS: 'notaurl' })).toEqual([
      'CORS_ORIGINS: "notaurl" is not an origin (http(s)://host[:port], lowercase, no path): ' +
        'give empty, *, or comma-separated origins',
    ]);
    const [problem] = problemsOf({
      CORS_ORIGINS: 'https://ok.example.com,https://app.example.com/,ftp://files.example.com,HTTPS://X.COM,',
    });
    expect(problem).toMatch(
      /^CORS_ORIGINS: "https:\/\/app.example.com\/", "ftp:\/\/files.example.com", "HTTPS:\/\/X.COM", "" are not origins/,
    );
  });

  it('keeps the secrets development generated in DATA_DIR, in a 0600 file, unless the environment gives them', () => {
    const env = validateEnvironment({ NODE_ENV: 'development', DATA_DIR: 'data' });
    const file = path.join(folder, 'data', SECRETS_FILE);
    expect(env.secretsFile).toBe(file);
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    expect(kept).toMatchObject({ JWT_SECRET: env.JWT_SECRET, WEBHOOK_SECRET_KEY: env.WEBHOOK_SECRET_KEY });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A secret given in the environment wins over the kept one.
    const given = validateEnvironment({
      NODE_ENV: 'development',
      DATA_DIR: 'data',
      JWT_SECRET: 'g'.repeat(32),
    });
    expect(given.JWT_SECRET).toBe('g'.repeat(32));
  });

  it('generates secrets per start in tests, with the data in memory, and never writes them in production', () => {
    const test = validateEnvironment({ NODE_ENV: 'test', DATA_DIR: 'data' });
    const memory = validateEnvironment({ NODE_ENV: 'development', DATA_DIR: 'memory://' });
    for (const env of [test, memory]) {
      expect(env.generatedSecrets).toEqual(['JWT_SECRET', 'WEBHOOK_SECRET_KEY']);
      expect(env.secretsFile).toBeUndefined();
    }
    expect(test.JWT_SECRET).not.toBe(memory.JWT_SECRET);
    expect(() => validateEnvironment({ NODE_ENV: 'production', DATA_DIR: 'data' })).toThrow(
      ConfigurationError,
    );
    expect(() => statSync(path.join(folder, 'data'))).toThrow(/ENOENT/);
  });
});

describe(keepSecrets.name, () => {
  let file: string;
  beforeEach(() => {
    file = path.join(mkdtempSync(path.join(tmpdir(), 'secrets-')), 'data', SECRETS_FILE);
  });
  afterEach(() => rmSync(path.dirname(path.dirname(file)), { recursive: true, force: true }));

  it('generates the secrets at the first start and gives the same ones at the next, from a 0600 file', () => {
    const first = keepSecrets(file, ['JWT_SECRET', 'WEBHOOK_SECRET_KEY']);
    expect(first.generated).toEqual(['JWT_SECRET', 'WEBHOOK_SECRET_KEY']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = keepSecrets(file, ['JWT_SECRET', 'WEBHOOK_SECRET_KEY']);
    expect(second).toEqual({ values: first.values, generated: [] });
  });

  it('adds a secret the file lacks and keeps the others', () => {
    const first = keepSecrets(file, ['JWT_SECRET']);
    const second = keepSecrets(file, ['JWT_SECRET', 'WEBHOOK_SECRET_KEY']);
    expect(second.generated).toEqual(['WEBHOOK_SECRET_KEY']);
    expect(second.values.JWT_SECRET).toBe(first.values.JWT_SECRET);
    expect(keepSecrets(file, ['WEBHOOK_SECRET_KEY']).values.WEBHOOK_SECRET_KEY).toBe(
      second.values.WEBHOOK_SECRET_KEY,
    );
  });

  it('refuses a file that does not hold secrets, naming it', () => {
    keepSecrets(file, ['JWT_SECRET']);
    writeFileSync(file, '{"JWT_SECRET": "short"}');
    expect(() => keepSecrets(file, ['JWT_SECRET'])).toThrow(ConfigurationError);
    writeFileSync(file, 'not json');
    expect(() => keepSecrets(file, ['JWT_SECRET'])).toThrow(`DATA_DIR: ${file} is not a JSON object`);
  });
});
