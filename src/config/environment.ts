import { randomBytes } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  validateSync,
} from 'class-validator';

import { IN_MEMORY } from '../database/embedded-database';

export enum NodeEnv {
  Development = 'development',
  Production = 'production',
  Test = 'test',
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toBoolean = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? ({ true: true, '1': true, false: false, '0': false }[value.toLowerCase()] ?? value)
    : value;
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/** A whole-number setting given as text, within bounds (one message for whatever is wrong with it). */
function IntSetting(min: number, max?: number): PropertyDecorator {
  const message = `must be a whole number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}`;
  return applyDecorators(
    Transform(toInt),
    IsInt({ message }),
    Min(min, { message }),
    ...(max === undefined ? [] : [Max(max, { message })]),
  );
}

/** A secret of at least 32 characters: required in production, generated elsewhere when not set. */
function Secret(): PropertyDecorator {
  return applyDecorators(
    ValidateIf(
      (env: Environment, value: unknown) => env.NODE_ENV === NodeEnv.Production || value !== undefined,
    ),
    IsDefined({ message: `required when NODE_ENV=${NodeEnv.Production}` }),
    IsString(),
    MinLength(32, { message: 'must be at least 32 characters long' }),
  );
}

/** An origin as a browser sends it in `Origin`: http(s)://host[:port], nothing after. */
function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

const notOrigins = (value: unknown): string[] =>
  typeof value !== 'string' || value === '' || value === '*'
    ? []
    : value.split(',').filter((entry) => !isOrigin(entry.trim()));

/** Empty, `*`, or comma-separated origins (CORS compares them as written with the request's `Origin`). */
function OriginList(): PropertyDecorator {
  return ValidateBy({
    name: 'isOriginList',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && notOrigins(value).length === 0,
      defaultMessage: (args) => {
        const entries = notOrigins(args?.value).map((entry) => JSON.stringify(entry.trim()));
        return `${entries.join(', ')} ${entries.length > 1 ? 'are not origins' : 'is not an origin'} (http(s)://host[:port], lowercase, no path): give empty, *, or comma-separated origins`;
      },
    },
  });
}

/** Every setting the service reads from its environment, validated once at boot. */
export class Environment {
  @IsEnum(NodeEnv)
  NODE_ENV: NodeEnv = NodeEnv.Development;

  @IntSetting(0, 65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /**
   * How far V8 lets the old space grow past what survived the last full collection before the next,
   * in percent (0: V8's own choice, which is 300 on a machine with a heap limit over 2 GB). Lower
   * keeps the resident memory under sustained load smaller at a little more collection work: 50
   * measured as the knee (25 cost the write scenarios about a tenth of their throughput).
   */
  @IntSetting(0, 300)
  HEAP_GROWTH_PERCENT = 50;

  /** A PostgreSQL server; without it the embedded PGlite database in DATA_DIR is used. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgresql:// URL' })
  DATABASE_URL?: string;

  /** Folder of the embedded database; `memory://` keeps it in memory only. */
  @IsString()
  DATA_DIR = '.data';

  /** Apply pending migrations at start when DATABASE_URL is set (the embedded database always does). */
  @Transform(toBoolean)
  @IsBoolean()
  DB_MIGRATE_ON_START = false;

  @IntSetting(1, 200)
  DB_POOL_SIZE = 10;

  /** How long a query waits for a connection before failing, so readiness fails fast when the database is gone. */
  @IntSetting(100)
  DB_CONNECT_TIMEOUT_MS = 5000;

  /** How long a pooled connection may sit idle before it is closed (a new one opens when needed). */
  @IntSetting(100)
  DB_IDLE_TIMEOUT_MS = 10_000;

  /**
   * How long shutdown (SIGTERM, SIGINT) may take: requests in flight finish, kept-alive connections
   * close as they go idle, then the pool and the database close. Past it the process exits anyway.
   */
  @IntSetting(1000, 600_000)
  SHUTDOWN_GRACE_MS = 10_000;

  /**
   * How long a request with an Idempotency-Key holds the key while it runs: past it, a request with the
   * same key takes the claim over (the first one crashed or hung half-way).
   */
  @IntSetting(1000, 3_600_000)
  IDEMPOTENCY_LEASE_MS = 60_000;

  /**
   * Whether this instance runs background jobs (and pg-boss's cron and maintenance). Every instance
   * sends jobs either way; turn it off only where another instance works the queues.
   */
  @Transform(toBoolean)
  @IsBoolean()
  JOBS_WORKERS = true;

  /** How often an idle worker asks its queue for jobs (polling: the embedded database has no NOTIFY). */
  @IntSetting(100, 60_000)
  JOBS_POLL_INTERVAL_MS = 2000;

  /**
   * How often pg-boss's maintenance runs (once across instances): it hands back the jobs whose attempt
   * expired (an instance died half-way), and archives finished ones.
   */
  @IntSetting(1000, 3_600_000)
  JOBS_MAINTENANCE_INTERVAL_MS = 60_000;

  /** How long audit events are kept: the purge job deletes older ones. */
  @IntSetting(1, 36_500)
  AUDIT_RETENTION_DAYS = 365;

  /** When expired sessions and idempotency records are purged: a cron expression of five fields, in UTC. */
  @Matches(/^\S+( \S+){4}$/, { message: 'PURGE_CRON must be a cron expression of five fields' })
  PURGE_CRON = '*/10 * * * *';

  /**
   * Signs access tokens (and keys refresh tokens and cursors). Required in production; when it is not
   * set, development generates one and keeps it in DATA_DIR/secrets.json, tests one per start.
   */
  @Secret()
  JWT_SECRET?: string;

  /** Lifetime of an access token, in seconds. */
  @IntSetting(30, 86_400)
  JWT_ACCESS_TTL_SECONDS = 900;

  /** Lifetime of a session (and so of its refresh tokens), in days. */
  @IntSetting(1, 365)
  SESSION_TTL_DAYS = 30;

  /** Requests per client to register, log in and refresh, per AUTH_THROTTLE_TTL_MS. */
  @IntSetting(1)
  AUTH_THROTTLE_LIMIT = 20;

  @IntSetting(1000)
  AUTH_THROTTLE_TTL_MS = 60_000;

  /**
   * How long an answer of the session check is reused (0: never). Changes made on this instance apply
   * at once; those made elsewhere (another instance, the admin command) within this time.
   */
  @IntSetting(0, 60_000)
  SESSION_CACHE_TTL_MS = 5_000;

  /**
   * Failed logins allowed for one account from one address within LOGIN_FAILURE_WINDOW_MS; past it that
   * address may not try that account until the window ends.
   */
  @IntSetting(1)
  LOGIN_FAILURE_LIMIT = 5;

  /** Failed logins for one account from all addresses; past it its attempts are slowed to one a second. */
  @IntSetting(1)
  LOGIN_ACCOUNT_FAILURE_LIMIT = 20;

  /** Failed logins from one address for all accounts; past it the address may not log in. */
  @IntSetting(1)
  LOGIN_ADDRESS_FAILURE_LIMIT = 100;

  @IntSetting(1000)
  LOGIN_FAILURE_WINDOW_MS = 900_000;

  /** Comma-separated origins allowed by CORS (`https://app.example.com`), or `*`; empty disables CORS. */
  @OriginList()
  CORS_ORIGINS = '';

  /** Largest accepted request body, in bytes. */
  @IntSetting(1024)
  BODY_LIMIT = 1_048_576;

  /** Requests each client may make per THROTTLE_TTL_MS window. */
  @IntSetting(1)
  THROTTLE_LIMIT = 300;

  @IntSetting(1000)
  THROTTLE_TTL_MS = 60_000;

  /** Honour X-Forwarded-For from these proxies: `true`, `false`, or comma-separated addresses/CIDRs. */
  @IsString()
  TRUST_PROXY = 'false';

  /** The bearer token `/metrics` answers to; without it metrics are not served. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters long' })
  METRICS_TOKEN?: string;

  /**
   * A Redis server shared by several instances: rate-limit and failed-login counts, session-check
   * invalidations. Without it these stay in process memory, right for one instance (the default).
   */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Prefix of every Redis key and channel of this service, so that others can share the server. */
  @Matches(/^\S{1,64}$/, { message: 'REDIS_PREFIX must be 1 to 64 characters without spaces' })
  REDIS_PREFIX = 'listings:';

  /**
   * How long a Redis command may take: past it the request goes on without Redis (counts in process
   * memory) and the connection is reopened. At most 100 ms, the most a request may wait on Redis.
   */
  @IntSetting(5, 100)
  REDIS_COMMAND_TIMEOUT_MS = 100;

  /**
   * How long opening a Redis connection may take. No request waits for one; the start waits at most
   * this long for Redis, then goes on without it.
   */
  @IntSetting(50, 60_000)
  REDIS_CONNECT_TIMEOUT_MS = 1000;

  /**
   * How often each Redis connection is pinged, with REDIS_COMMAND_TIMEOUT_MS to answer; a missed ping
   * stops its use, and reopens it when the next one misses too. Finds a connection that froze without
   * closing, which would drop invalidations silently.
   */
  @IntSetting(50, 60_000)
  REDIS_PING_INTERVAL_MS = 1000;

  /**
   * The mail server (`smtp://user:pass@host:port`, or `smtps://`). Without it each mail is written as
   * an `.eml` file under DATA_DIR/outbox and its subject logged.
   */
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /** The sender of every mail, as `Name <address>`. */
  @IsString()
  @MinLength(3)
  MAIL_FROM = 'Listings <no-reply@localhost>';

  /** Where the web application lives: the links in mails point under it. */
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'APP_URL must be an http:// or https:// URL' })
  APP_URL = 'http://localhost:3000';

  /** The product's name, in mail subjects and texts. */
  @IsString()
  @MinLength(1)
  PRODUCT_NAME = 'Listings';

  /** Attempts after the first before a mail that could not be sent is given up (kept as a failed job). */
  @IntSetting(0, 100)
  MAIL_RETRY_LIMIT = 10;

  /** Seconds before the first retry of a mail; each further retry waits about twice as long. */
  @IntSetting(1, 86_400)
  MAIL_RETRY_DELAY_SECONDS = 30;

  /**
   * Mails that may be asked for one address (password reset, verification, email change) per
   * MAIL_LIMIT_WINDOW_MS; past it requests are answered alike, and no mail is sent.
   */
  @IntSetting(1)
  MAIL_ADDRESS_LIMIT = 3;

  /** Mails that one client address may ask for, whatever the recipient, per MAIL_LIMIT_WINDOW_MS. */
  @IntSetting(1)
  MAIL_CLIENT_LIMIT = 20;

  @IntSetting(1000)
  MAIL_LIMIT_WINDOW_MS = 3_600_000;

  /**
   * Encrypts the webhook signing secrets and the variables of queued mails (their links) at rest
   * (AES-256-GCM, a key derived from it for each). Required in production; when it is not set,
   * development generates one and keeps it in DATA_DIR/secrets.json, tests generate one per start
   * (webhooks made before a restart then cannot be signed until their secret is rotated, and mails
   * still queued are dropped). Instances that share a database share this key.
   */
  @Secret()
  WEBHOOK_SECRET_KEY?: string;

  /** Seconds to wait before each delivery attempt of a webhook, comma-separated (the first is the first attempt). */
  @Matches(/^\d+(,\d+){0,19}$/, {
    message: 'WEBHOOK_RETRY_SCHEDULE_S must be 1 to 20 comma-separated whole numbers of seconds',
  })
  WEBHOOK_RETRY_SCHEDULE_S = '0,5,300,1800,7200,18000,36000,36000';

  /** The longest wait a receiver's Retry-After may ask for before the next attempt, in seconds. */
  @IntSetting(0, 86_400)
  WEBHOOK_RETRY_AFTER_MAX_S = 3600;

  /**
   * Admits webhook targets over plain http and at private, loopback or link-local addresses.
   * Development and tests only: it lets an account make the service call inside its network.
   */
  @Transform(toBoolean)
  @IsBoolean()
  WEBHOOK_ALLOW_INSECURE = false;

  /** Folder of stored listing photos without S3_BUCKET; default DATA_DIR/media (a temporary folder with `memory://`). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  MEDIA_DIR?: string;

  /**
   * Where photo URLs point: the stored key is appended to it. Default `/media` (served by this API from
   * MEDIA_DIR); with S3_BUCKET, the bucket's public or CDN address.
   */
  @IsOptional()
  @Matches(/^(https?:\/\/[^\s/]+)?(\/\S*)?$/, { message: 'MEDIA_BASE_URL must be an http(s) URL or a path' })
  MEDIA_BASE_URL?: string;

  /** Stores photos in this bucket of an S3-compatible store instead of MEDIA_DIR. */
  @IsOptional()
  @IsString()
  @MinLength(3)
  S3_BUCKET?: string;

  /** The S3-compatible endpoint (`https://...`); without it, AWS's endpoint of S3_REGION. */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'S3_ENDPOINT must be an http:// or https:// URL' })
  S3_ENDPOINT?: string;

  @IsString()
  @MinLength(1)
  S3_REGION = 'us-east-1';

  /** Credentials of the store; without them the AWS SDK's default chain (environment, instance role). */
  @IsOptional()
  @IsString()
  S3_ACCESS_KEY_ID?: string;

  @IsOptional()
  @IsString()
  S3_SECRET_ACCESS_KEY?: string;

  /** Addresses the bucket in the path (`endpoint/bucket/key`), as MinIO and most S3-compatible stores need. */
  @Transform(toBoolean)
  @IsBoolean()
  S3_FORCE_PATH_STYLE = false;

  /**
   * Photos decoded and re-encoded at once. sharp works on libuv's threadpool, off the event loop; past
   * this many, uploads wait their turn, so memory does not grow with them.
   */
  @IntSetting(1, 16)
  PHOTO_CONCURRENCY = 1;

  /** When stored files that no photo names (a crash between storing and committing) are removed: cron, UTC. */
  @Matches(/^\S+( \S+){4}$/, { message: 'PHOTO_ORPHAN_CRON must be a cron expression of five fields' })
  PHOTO_ORPHAN_CRON = '41 * * * *';

  /** Names of secrets this start generated because none was given (never in production). */
  readonly generatedSecrets: string[] = [];

  /** Names of secrets not given but read from the file an earlier development start kept them in. */
  readonly keptSecrets: string[] = [];

  /** Where development keeps the secrets it generated (DATA_DIR/secrets.json); unset where they last one run. */
  secretsFile?: string;
}

/** What the validation works out rather than reads: never taken from the environment. */
const DERIVED: ReadonlySet<string> = new Set(['generatedSecrets', 'keptSecrets', 'secretsFile']);

/** The secrets generated when they are not set. */
const GENERATED_SECRETS = ['JWT_SECRET', 'WEBHOOK_SECRET_KEY'] as const;

/** The file in DATA_DIR where development keeps the secrets it generated. */
export const SECRETS_FILE = 'secrets.json';

export class ConfigurationError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

/**
 * Validates the raw environment (empty values count as unset) and provides the secrets not given.
 * Throws one error that lists every bad variable once, with the first constraint it breaks.
 */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const known = Object.fromEntries(
    Object.keys(new Environment())
      .concat('DATABASE_URL', 'JWT_SECRET', 'REDIS_URL', 'SMTP_URL', 'WEBHOOK_SECRET_KEY')
      .filter((key) => !DERIVED.has(key))
      .filter((key) => raw[key] !== undefined && raw[key] !== '')
      .map((key) => [key, raw[key]]),
  );
  const env = plainToInstance(Environment, known, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, stopAtFirstError: true });
  if (errors.length > 0) {
    throw new ConfigurationError(
      errors.map(({ property, constraints = {} }) => {
        // class-validator's own messages start with the property's name.
        const message = Object.values(constraints)[0] ?? 'is invalid';
        return `${property}: ${message.startsWith(`${property} `) ? message.slice(property.length + 1) : message}`;
      }),
    );
  }
  return provideSecrets(env);
}

/**
 * Sets each generated secret that is not given: kept in DATA_DIR/secrets.json in development on disk
 * (a restart keeps sessions, cursors and webhooks' signing secrets), a new one per start otherwise.
 */
function provideSecrets(env: Environment): Environment {
  const missing = GENERATED_SECRETS.filter((name) => env[name] === undefined);
  if (missing.length === 0) {
    return env;
  }
  if (env.NODE_ENV === NodeEnv.Development && env.DATA_DIR !== IN_MEMORY) {
    env.secretsFile = path.resolve(env.DATA_DIR, SECRETS_FILE);
    const { values, generated } = keptSecretsOfThisProcess(env.secretsFile, missing);
    for (const name of missing) {
      env[name] = values[name];
      (generated.includes(name) ? env.generatedSecrets : env.keptSecrets).push(name);
    }
    return env;
  }
  for (const name of missing) {
    env[name] = newSecret();
    env.generatedSecrets.push(name);
  }
  return env;
}

const newSecret = (): string => randomBytes(48).toString('base64url');

export interface KeptSecrets {
  values: Record<string, string>;
  /** The names this call generated (and wrote); the others were in the file. */
  generated: string[];
}

/** One answer per file and process: the app validates its environment more than once at start. */
const keptInThisProcess = new Map<string, KeptSecrets>();

function keptSecretsOfThisProcess(file: string, names: readonly string[]): KeptSecrets {
  const key = `${file}\n${names.join(',')}`;
  const kept = keptInThisProcess.get(key) ?? keepSecrets(file, names);
  keptInThisProcess.set(key, kept);
  return kept;
}

/**
 * The secrets `names` from `file` (JSON, mode 0600), generating and adding those it lacks. The file is
 * written whole and moved into place, and created only if no other process created it meanwhile.
 */
export function keepSecrets(file: string, names: readonly string[]): KeptSecrets {
  const stored = readSecretsFile(file);
  const generated = names.filter((name) => stored?.[name] === undefined);
  if (stored !== undefined && generated.length === 0) {
    return { values: stored, generated };
  }
  const values = {
    ...(stored ?? { '//': 'Secrets generated in development: delete this file to end every session.' }),
    ...Object.fromEntries(generated.map((name) => [name, newSecret()])),
  };
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temporary, `${JSON.stringify(values, null, 2)}\n`, { mode: 0o600 });
    if (stored) {
      renameSync(temporary, file);
    } else {
      linkSync(temporary, file);
      unlinkSync(temporary);
    }
  } catch (error) {
    unlinkQuietly(temporary);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      // Another process started at the same time and wrote it first: use its secrets.
      return keepSecrets(file, names);
    }
    throw new ConfigurationError([
      `DATA_DIR: cannot keep the generated secrets in ${file} (${String(error)})`,
    ]);
  }
  return { values, generated };
}

/** The secrets in `file`, or undefined when there is none; a file that is not a map of secrets is an error. */
function readSecretsFile(file: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw new ConfigurationError([`DATA_DIR: cannot read ${file} (${String(error)})`]);
  }
  const invalid = new ConfigurationError([
    `DATA_DIR: ${file} is not a JSON object of secrets of at least 32 characters (fix it, or delete it to generate new ones)`,
  ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid;
  }
  const secrets = parsed as Record<string, unknown>;
  if (GENERATED_SECRETS.some((name) => secrets[name] !== undefined && !isSecret(secrets[name]))) {
    throw invalid;
  }
  return secrets as Record<string, string>;
}

const isSecret = (value: unknown): boolean => typeof value === 'string' && value.length >= 32;

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Not written, or already moved into place.
  }
}

/**
 * The environment as the config module will see it (`.env` in the working directory unless `envFile` is
 * false, the process environment, then `overrides`), for what is needed before Nest starts: Fastify's
 * settings, and the checks the server and the commands make before they load the application.
 */
export function loadEnvironment({
  overrides = {},
  envFile = true,
}: { overrides?: Record<string, string | undefined>; envFile?: boolean } = {}): Environment {
  if (envFile && existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  return validateEnvironment({ ...process.env, ...overrides });
}
