import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

// Probes and scrapes would drown the log.
const UNLOGGED = /^\/(health|metrics)\b/;

/**
 * Logs one line per answered request, at info: what identifies it (never its headers, where
 * credentials travel), its status and how long it took. It runs in the response hook, after the answer
 * is written (a level check when info is off), not as pino-http's middleware, whose per-request child
 * logger and AsyncLocalStorage context cost every request (bench/RESULTS.md, bypass table). Errors
 * still carry their request id: the problem-details filter logs it.
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
