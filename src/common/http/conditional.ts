import { createHash } from 'node:crypto';

import { applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { PreconditionFailedError } from '../errors/domain-error';
import { ApiProblems } from '../openapi/problem-responses.decorator';
import { addRouteConfig } from './route-config';

/** Route config key of a conditional route, read by the `onSend` hook in app.setup.ts. */
const CONDITIONAL_CONFIG = 'conditional';
/** Marks the operation for the document builder, which documents its validators and their answers. */
export const CONDITIONAL_EXTENSION = 'x-conditional';

/** How a route takes part in conditional requests (RFC 9110 13). */
export interface ConditionalRoute {
  /** A read: `If-None-Match` answers 304. Otherwise a write that honours `If-Match`. */
  read: boolean;
  /** The request headers its representation depends on (`Vary`). */
  vary?: string[];
}

/**
 * The strong entity tag of a body: a digest of its bytes, so it changes whenever anything in the
 * representation does (a detail edit, the author's rename, the caller's saved flag) with no version
 * to keep for each thing it shows.
 */
export function entityTag(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** The entity tag of a representation as it is sent (Fastify serializes a body with JSON.stringify). */
export function entityTagOf(representation: unknown): string {
  return entityTag(JSON.stringify(representation));
}

interface Tag {
  weak: boolean;
  opaque: string;
}

const LIST_ITEM = /\s*(?:(W\/)?("[^"]*")\s*)?(?:,|$)/y;

/** The entity tags of an `If-Match` or `If-None-Match` field: `*`, a list, or null when malformed. */
function tagsOf(field: string): '*' | Tag[] | null {
  if (field.trim() === '*') {
    return '*';
  }
  const tags: Tag[] = [];
  LIST_ITEM.lastIndex = 0;
  while (LIST_ITEM.lastIndex < field.length) {
    const start = LIST_ITEM.lastIndex;
    const match = LIST_ITEM.exec(field);
    if (!match || LIST_ITEM.lastIndex === start) {
      return null;
    }
    if (match[2]) {
      tags.push({ weak: match[1] !== undefined, opaque: match[2] });
    }
  }
  return tags;
}

/** One field however the client split it over several header lines. */
function fieldOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * An `If-Match` precondition (RFC 9110 13.1.1): `*` or entity tags, compared strongly (a weak tag
 * never matches). A malformed field matches nothing: the change is refused, not applied blindly.
 */
export class IfMatch {
  private constructor(private readonly field: string) {}

  static of(value: string | string[] | undefined): IfMatch | undefined {
    const field = fieldOf(value);
    return field === undefined ? undefined : new IfMatch(field);
  }

  /** Whether the field names the current representation's tag (null: there is none). */
  matches(current: string | null): boolean {
    const tags = tagsOf(this.field);
    if (current === null || tags === null) {
      return false;
    }
    return tags === '*' || tags.some((tag) => !tag.weak && tag.opaque === current);
  }

  /**
   * The version that a write of `current` must still find in place, so that the change applies only to
   * the representation the client saw: `ifMatch.versionOf(post, toPostDto, (post) => post.version)`.
   * 412 when there is no current representation or its tag is not named.
   */
  versionOf<R>(current: R | null, represent: (record: R) => unknown, version: (record: R) => number): number {
    if (current === null || !this.matches(entityTagOf(represent(current)))) {
      throw new PreconditionFailedError();
    }
    return version(current);
  }
}

/** Whether an `If-None-Match` field names `tag` (weak comparison, RFC 9110 13.1.2). */
function noneMatchNames(value: string | string[] | undefined, tag: string): boolean {
  const field = fieldOf(value);
  const tags = field === undefined ? null : tagsOf(field);
  return tags === '*' || (tags?.some((candidate) => candidate.opaque === tag) ?? false);
}

/** Adds request headers to `Vary`, keeping those set before (CORS adds `Origin`). */
function addVary(reply: FastifyReply, names: string[]): void {
  const existing = reply.getHeader('vary');
  void reply.header('vary', existing ? `${String(existing)}, ${names.join(', ')}` : names.join(', '));
}

/**
 * A read whose 200 carries an `ETag`, and that answers 304 (no body) to an `If-None-Match` naming it.
 * `vary` names the request headers the representation depends on: `@ConditionalRead({ vary:
 * ['Authorization'] })`. Caches may keep it but must revalidate (`Cache-Control: no-cache`, `private`
 * when it depends on the caller).
 */
export const ConditionalRead = (options: { vary?: string[] } = {}): MethodDecorator => {
  const route: ConditionalRoute = { read: true, ...options };
  return applyDecorators(
    addRouteConfig({ [CONDITIONAL_CONFIG]: route }),
    ApiExtension(CONDITIONAL_EXTENSION, route),
  );
};

/**
 * A write that honours `If-Match` (the handler reads it with `@IfMatchHeader()` and its service checks
 * it against the current representation) and answers the new representation's `ETag`.
 */
export const ConditionalWrite = (): MethodDecorator => {
  const route: ConditionalRoute = { read: false };
  return applyDecorators(
    addRouteConfig({ [CONDITIONAL_CONFIG]: route }),
    ApiExtension(CONDITIONAL_EXTENSION, route),
    ApiProblems(new PreconditionFailedError()),
  );
};

/** The request's `If-Match` precondition, when it has one. */
export const IfMatchHeader = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IfMatch | undefined =>
    IfMatch.of(context.switchToHttp().getRequest<FastifyRequest>().headers['if-match']),
);

/**
 * For the `onSend` hook: a conditional route's 200 or 201 gets the `ETag` of the body it sends; a read
 * whose `If-None-Match` names it becomes a 304 without a body. Other answers pass unchanged.
 */
export function answerConditionally(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  const route = (request.routeOptions.config as { [CONDITIONAL_CONFIG]?: ConditionalRoute })[
    CONDITIONAL_CONFIG
  ];
  if (!route || typeof payload !== 'string' || (reply.statusCode !== 200 && reply.statusCode !== 201)) {
    return payload;
  }
  const tag = entityTag(payload);
  void reply.header('etag', tag);
  if (!route.read) {
    return payload;
  }
  if (route.vary) {
    addVary(reply, route.vary);
  }
  void reply.header('cache-control', route.vary ? 'private, no-cache' : 'no-cache');
  if (noneMatchNames(request.headers['if-none-match'], tag)) {
    void reply.code(304).removeHeader('content-type');
    return null;
  }
  return payload;
}
