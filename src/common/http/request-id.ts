import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
// A caller's id is kept only if it is short and plain, so it cannot forge log lines.
const ACCEPTABLE = /^[\w.:-]{1,128}$/;

/**
 * The id of a request: the caller's `X-Request-Id` when acceptable, else a new UUID. Computed once and
 * kept on the request, where Fastify reads it as `request.id`.
 */
export function requestIdOf(request: IncomingMessage & { id?: unknown }): string {
  if (typeof request.id === 'string') {
    return request.id;
  }
  const given = request.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
  request.id = id;
  return id;
}
