/** The broad kind of a failure; the error filter maps each to an HTTP status in one place. */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'rate_limited'
  | 'unavailable';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * A failure a service reports to its caller, with a stable machine-readable code. Services throw
 * these and know nothing of HTTP; the problem-details filter turns them into responses.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends DomainError {
  readonly kind = 'invalid';
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';

  /** The `WWW-Authenticate` challenge to answer with. */
  get challenge(): string {
    return 'Bearer';
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

/** The resource changed since the version the caller named (`If-Match`). */
export class PreconditionFailedError extends DomainError {
  readonly kind = 'precondition_failed';

  constructor() {
    super(
      'PRECONDITION_FAILED',
      'The resource changed since the version in If-Match: read it again, then retry the change.',
    );
  }
}

/** The content is larger than the operation takes (bytes, pixels). */
export class ContentTooLargeError extends DomainError {
  readonly kind = 'too_large';
}

/** The content is of a type the operation does not take. */
export class UnsupportedMediaTypeError extends DomainError {
  readonly kind = 'unsupported_media_type';
}

export class UnprocessableError extends DomainError {
  readonly kind = 'unprocessable';
}

/** Too many attempts: the caller may try again after `retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited';

  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message);
  }
}

export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';
}

/** A request body, query or path that failed validation; lists every bad field. */
export class RequestValidationError extends InvalidInputError {
  constructor(errors: FieldError[]) {
    super('VALIDATION_FAILED', 'The request is not valid: see errors for each field.', errors);
  }
}

export class MalformedJsonError extends InvalidInputError {
  constructor() {
    super('MALFORMED_JSON', 'The request body is not valid JSON.');
  }
}
