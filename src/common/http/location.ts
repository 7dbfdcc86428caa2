import { applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { addRouteConfig } from './route-config';

/** Route config key of a created resource's URL, read by `addLocation`. */
const LOCATION_CONFIG = 'location';
/** Marks the operation for the document builder, which documents the `Location` header of its 201. */
export const LOCATION_EXTENSION = 'x-location';

export type LocationOf = (body: Record<string, unknown>) => string | undefined;

/**
 * A 201 of this route says where the created resource lives (`Location`, RFC 9110 10.2.2), from the
 * body it answers: `@Located((post) => `/v1/posts/${post.id}`)`. A replayed 201 (idempotency) says it
 * too, as the header comes from the body.
 */
export const Located = (of: LocationOf): MethodDecorator =>
  applyDecorators(addRouteConfig({ [LOCATION_CONFIG]: of }), ApiExtension(LOCATION_EXTENSION, true));

/** For the `onSend` hook: a 201 of a `@Located` route gets its `Location` from the body it sends. */
export function addLocation(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
  const locate = (request.routeOptions.config as { [LOCATION_CONFIG]?: LocationOf })[LOCATION_CONFIG];
  if (locate && reply.statusCode === 201 && typeof payload === 'string') {
    const location = locate(JSON.parse(payload) as Record<string, unknown>);
    if (location) {
      void reply.header('location', location);
    }
  }
}
