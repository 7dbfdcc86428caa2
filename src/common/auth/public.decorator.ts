import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC = 'isPublic';
export const IGNORES_CREDENTIALS = 'ignoresCredentials';
/** Marks a public operation in the generated document, which turns it into `security: []`. */
export const PUBLIC_EXTENSION = 'x-public';
/** Marks an operation that reads no credentials, so the document promises no 401 for a bad one. */
export const ANONYMOUS_EXTENSION = 'x-anonymous';

/**
 * Opens a route to anonymous callers that still uses the caller when there is one: a bearer token,
 * when sent, is checked, and a bad one is a 401 `invalid_token` (so a client knows to refresh
 * instead of silently getting the anonymous answer).
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(PUBLIC_EXTENSION, true));

/**
 * A route that needs no caller (health, metrics, register, login, refresh): it ignores the
 * `Authorization` and `X-API-Key` headers, so an expired token sent along by a client's interceptor
 * changes nothing.
 */
export const Anonymous = (): MethodDecorator & ClassDecorator =>
  applyDecorators(Public(), SetMetadata(IGNORES_CREDENTIALS, true), ApiExtension(ANONYMOUS_EXTENSION, true));
