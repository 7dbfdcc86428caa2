import { randomBytes } from 'node:crypto';
import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';

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

/** A whole-number setting given as text, within bounds. */
function IntSetting(min: number, max?: number): PropertyDecorator {
  return applyDecorators(Transform(toInt), IsInt(), Min(min), ...(max === undefined ? [] : [Max(max)]));
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
   * keeps the resident memory under sustained load smaller at a little more collection work.
   */
  @IntSetting(0, 300)
  HEAP_GROWTH_PERCENT = 150;

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

  /** Signs access tokens. Required in production; development generates one per start. */
  @ValidateIf((env: Environment) => env.NODE_ENV === NodeEnv.Production || env.JWT_SECRET !== undefined)
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters long' })
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

  /** Comma-separated origins allowed by CORS, or `*`; empty disables CORS. */
  @IsString()
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
   * (AES-256-GCM, a key derived from it for each). Required in production; development and tests
   * generate one per start (webhooks made before a restart then cannot be signed until their secret is
   * rotated, and mails still queued are dropped). Instances that share a database share this key.
   */
  @ValidateIf(
    (env: Environment) => env.NODE_ENV === NodeEnv.Production || env.WEBHOOK_SECRET_KEY !== undefined,
  )
  @IsString()
  @MinLength(32, { message: 'WEBHOOK_SECRET_KEY must be at least 32 characters long' })
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

  /** Names of secrets generated at boot because none was given (never in production). */
  readonly generatedSecrets: string[] = [];
}

export class ConfigurationError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

/** Validates the raw environment; throws one error that names every bad variable. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const known = Object.fromEntries(
    Object.keys(new Environment())
      .concat('DATABASE_URL', 'JWT_SECRET', 'REDIS_URL', 'SMTP_URL', 'WEBHOOK_SECRET_KEY')
      .filter((key) => key !== 'generatedSecrets')
      .filter((key) => raw[key] !== undefined && raw[key] !== '')
      .map((key) => [key, raw[key]]),
  );
  const env = plainToInstance(Environment, known, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigurationError(
      errors.map((error) => `${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`),
    );
  }
  if (env.JWT_SECRET === undefined) {
    env.JWT_SECRET = randomBytes(48).toString('base64url');
    env.generatedSecrets.push('JWT_SECRET');
  }
  if (env.WEBHOOK_SECRET_KEY === undefined) {
    env.WEBHOOK_SECRET_KEY = randomBytes(48).toString('base64url');
    env.generatedSecrets.push('WEBHOOK_SECRET_KEY');
  }
  return env;
}
