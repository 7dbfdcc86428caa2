import type { FastifyRequest } from 'fastify';

import { addRouteConfig } from './route-config';

const NO_STORE = { noStore: true };

/**
 * `Cache-Control: no-store` on every answer of a controller's routes, errors included (tokens, private
 * data). It marks each route's Fastify config; the `onRequest` hook that sets the common headers adds
 * this one (`isNoStore`), so guards' refusals carry it too and no interceptor runs per request (Nest's
 * interceptor chain binds two async resources and builds an rxjs pipeline per request, a cost the
 * benchmark measured: bench/RESULTS.md, bypass table).
 */
export function NoStore(): ClassDecorator {
  return (target) => {
    const prototype = target.prototype as object;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
      if (name !== 'constructor' && typeof descriptor?.value === 'function') {
        addRouteConfig(NO_STORE)(prototype, name, descriptor);
      }
    }
  };
}

export function isNoStore(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { noStore?: boolean }).noStore === true;
}
