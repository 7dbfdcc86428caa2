import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

import { ConflictError, RequestValidationError, UnprocessableError } from '../errors/domain-error';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
export const IDEMPOTENT = 'idempotent';
export const IDEMPOTENT_EXTENSION = 'x-idempotent';
export const NOT_IDEMPOTENT = 'notIdempotent';
export const NOT_IDEMPOTENT_EXTENSION = 'x-not-idempotent';
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_KEY_LENGTH = 255;
/** A key: 1 to MAX_KEY_LENGTH visible ASCII characters. */
export const KEY_PATTERN = new RegExp(`^[\\x21-\\x7e]{1,${MAX_KEY_LENGTH}}$`);

/**
 * A POST whose responses are never stored for replay (they carry secrets such as tokens); it
 * ignores `Idempotency-Key`, and the document says so by not offering the header.
 */
export const NotIdempotent = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(NOT_IDEMPOTENT, true), ApiExtension(NOT_IDEMPOTENT_EXTENSION, true));

export class InvalidIdempotencyKeyError extends RequestValidationError {
  constructor() {
    super([
      {
        field: 'Idempotency-Key',
        message: `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} visible ASCII characters`,
      },
    ]);
  }
}

export class IdempotencyKeyReusedError extends UnprocessableError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request.');
  }
}

export class IdempotencyInFlightError extends ConflictError {
  constructor() {
    super(
      'IDEMPOTENCY_IN_FLIGHT',
      'A request with this Idempotency-Key is still being processed: retry shortly.',
    );
  }
}
