import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Problem, problemBody, toProblem } from './problem';

/** Answers every error as RFC 9457 problem details; unexpected ones are logged, never described. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.send(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  send(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const problem = toProblem(exception);
    if (problem.status >= 500 && problem.status !== 503) {
      this.logger.error({ err: exception, requestId: request.id }, 'Unhandled error');
    }
    writeProblem(reply, problem, request.url.split('?')[0], String(request.id));
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
    void reply.header('www-authenticate', 'Bearer');
  }
  void reply
    .status(problem.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(problemBody(problem, instance, requestId));
}
