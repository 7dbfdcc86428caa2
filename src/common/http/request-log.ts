import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

// Probes and scrapes would drown the log.
const UNLOGGED = /^\/(health|metrics)\b/;

/**
 * Logs one line per answered request, at info: what identifies it (never its headers, where
 * credentials travel), its status and how long it took.
 *
 * It runs in the response hook, after the answer is written, and does nothing more than a level
 * check when info is off. A request middleware that builds a child logger per request (pino-http)
 * serialises every request even when its line is never written, and the per-request context it
 * binds (AsyncLocalStorage) taxes every promise the request creates: together a quarter of the CPU
 * of a cheap read. Errors still carry their request id: the problem-details filter logs it.
 */
export function logRequest(logger: Logger, request: FastifyRequest, reply: FastifyReply): void {
  if (!logger.isLevelEnabled('info') || UNLOGGED.test(request.url)) {
    return;
  }
  logger.info(
    {
      requestId: request.id,
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 10) / 10,
      remoteAddress: request.ip,
      userAgent: request.headers['user-agent'],
    },
    'request completed',
  );
}
