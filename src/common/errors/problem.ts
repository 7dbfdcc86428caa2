import { STATUS_CODES } from 'node:http';

import { HttpException } from '@nestjs/common';

import { isDatabaseUnavailable } from '@/database/database-unavailable';
import type { MigrationHistory } from '@/database/migrator';
import { classifyPrismaError } from '@/database/prisma-errors';
import { describeHistory } from '@/database/schema-state';

import { DomainError, ErrorKind, FieldError, RateLimitedError, UnauthenticatedError } from './domain-error';

export interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: FieldError[];
  /** Seconds, for a Retry-After header. */
  retryAfter?: number;
  /** For a 401: the WWW-Authenticate challenge. */
  challenge?: string;
}

const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

const CODE_OF_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

const INTERNAL: Problem = { status: 500, code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred.' };

/** Seconds a client is asked to wait before trying again while the database is unreachable. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

export const DATABASE_UNAVAILABLE: Problem = {
  status: 503,
  code: 'DATABASE_UNAVAILABLE',
  detail: 'The database is unavailable. Try again shortly.',
  retryAfter: DATABASE_RETRY_AFTER_SECONDS,
};

/** Seconds a client is asked to wait while the database lacks this version's migrations: someone must run them. */
const NOT_MIGRATED_RETRY_AFTER_SECONDS = 30;

/** An API request while the database does not have exactly this version's migrations (schema-state.ts). */
export function databaseNotMigrated(history: MigrationHistory): Problem {
  return {
    status: 503,
    code: 'DATABASE_NOT_MIGRATED',
    detail: `The database is not migrated for this version: ${describeHistory(history)}.`,
    retryAfter: NOT_MIGRATED_RETRY_AFTER_SECONDS,
  };
}

/** Refusals Fastify makes before routing: a path segment over the length limit, a URL not in UTF-8. */
export const URI_TOO_LONG: Problem = {
  status: 414,
  code: 'URI_TOO_LONG',
  detail: 'A path segment of the URL is too long.',
};
export const INVALID_URL: Problem = {
  status: 400,
  code: 'INVALID_URL',
  detail: 'The URL is not valid (its percent-encoding is not UTF-8).',
};

/** Turns anything thrown while serving a request into the problem to answer with. */
export function toProblem(exception: unknown): Problem {
  if (exception instanceof DomainError) {
    return {
      status: STATUS_OF_KIND[exception.kind],
      code: exception.code,
      detail: exception.message,
      errors: exception.errors,
      retryAfter: exception instanceof RateLimitedError ? exception.retryAfterSeconds : undefined,
      challenge: exception instanceof UnauthenticatedError ? exception.challenge : undefined,
    };
  }
  if (exception instanceof HttpException) {
    return fromHttpException(exception);
  }
  if (isDatabaseUnavailable(exception)) {
    return DATABASE_UNAVAILABLE;
  }
  const prismaFailure = classifyPrismaError(exception);
  if (prismaFailure === 'unique') {
    return { status: 409, code: 'CONFLICT', detail: 'The resource conflicts with one that already exists.' };
  }
  if (prismaFailure === 'not_found') {
    return { status: 404, code: 'NOT_FOUND', detail: 'The resource does not exist.' };
  }
  if (prismaFailure === 'foreign_key') {
    return { status: 409, code: 'CONFLICT', detail: 'The resource refers to one that does not exist.' };
  }
  return INTERNAL;
}

function fromHttpException(exception: HttpException): Problem {
  const status = exception.getStatus();
  if (status >= 500 && status !== 503) {
    return INTERNAL;
  }
  const response = exception.getResponse();
  const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
  const detail = Array.isArray(message)
    ? message.join('; ')
    : typeof message === 'string'
      ? message
      : exception.message;
  return {
    status,
    code: CODE_OF_STATUS[status] ?? STATUS_CODES[status]?.toUpperCase().replace(/\W+/g, '_') ?? 'ERROR',
    detail: status === 404 && detail.startsWith('Cannot ') ? `No route matches ${detail.slice(7)}.` : detail,
  };
}

/** The RFC 9457 body for a problem. */
export function problemBody(problem: Problem, instance: string, requestId: string): Record<string, unknown> {
  return {
    type: `urn:problem-type:${problem.code.toLowerCase().replace(/_/g, '-')}`,
    title: STATUS_CODES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.detail,
    instance,
    code: problem.code,
    requestId,
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
}
