import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { DATABASE_UNAVAILABLE, Problem, problemBody, toProblem } from './problem';

/** During an outage every request fails alike: one warning per this many milliseconds is enough. */
const UNAVAILABLE_LOG_INTERVAL_MS = 10_000;

/** Answers every error as RFC 9457 problem details; unexpected ones are logged, never described. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');
  private unavailableLoggedAt = 0;
  private unavailableSinceLog = 0;

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.send(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  send(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const problem = toProblem(exception);
    if (problem.status >= 500 && problem.status !== 503) {
      this.logger.error({ err: exception, requestId: request.id }, 'Unhandled error');
    } else if (problem === DATABASE_UNAVAILABLE) {
      this.warnUnavailable(exception, String(request.id));
    }
    writeProblem(reply, problem, request.url.split('?')[0], String(request.id));
  }

  private warnUnavailable(exception: unknown, requestId: string): void {
    this.unavailableSinceLog += 1;
    const now = Date.now();
    if (now - this.unavailableLoggedAt < UNAVAILABLE_LOG_INTERVAL_MS) {
      return;
    }
    const message = exception instanceof Error ? exception.message : String(exception);
    this.logger.warn(
      { requestId, failedRequests: this.unavailableSinceLog },
      `Database unavailable: ${message.split('\n')[0]}`,
    );
    this.unavailableLoggedAt = now;
    this.unavailableSinceLog = 0;
  }
}

export function writeProblem(
  reply: FastifyReply,
  problem: Problem,
  instance: string,
  requestId: string,
): void {
  if (reply.sent) {
    return;
  }
  if (problem.retryAfter !== undefined) {
    void reply.header('retry-after', String(problem.retryAfter));
  }
  if (problem.status === 401) {
    void reply.header('www-authenticate', problem.challenge ?? 'Bearer');
  }
  void reply
    .status(problem.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(problemBody(problem, instance, requestId));
}
