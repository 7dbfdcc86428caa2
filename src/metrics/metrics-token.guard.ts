import { createHash, timingSafeEqual } from 'node:crypto';

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import { NotFoundError, UnauthenticatedError } from '../common/errors/domain-error';
import { AppConfig } from '../config/config.module';

export const METRICS_AUTH = 'metricsToken';

export class MetricsDisabledError extends NotFoundError {
  constructor() {
    super('NOT_FOUND', 'Metrics are not served: set METRICS_TOKEN to enable them.');
  }
}

export class MetricsTokenRequiredError extends UnauthenticatedError {
  constructor() {
    super('UNAUTHENTICATED', 'The metrics token is required (Authorization: Bearer <METRICS_TOKEN>).');
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * `/metrics` is for the scraper, not the internet: it answers only `Authorization: Bearer
 * <METRICS_TOKEN>`, and is not served at all while no token is configured.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(config: AppConfig) {
    const token = config.get('METRICS_TOKEN', { infer: true });
    this.expected = token ? digest(token) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) {
      throw new MetricsDisabledError();
    }
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    const match = typeof header === 'string' ? /^Bearer (\S+)$/i.exec(header) : null;
    if (!match || !timingSafeEqual(digest(match[1]), this.expected)) {
      throw new MetricsTokenRequiredError();
    }
    return true;
  }
}
