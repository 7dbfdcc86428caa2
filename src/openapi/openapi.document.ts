import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { OperationObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

import { REQUIRED_SCOPE_EXTENSION } from '../common/auth/api-key-scopes.decorator';
import { ANONYMOUS_EXTENSION, PUBLIC_EXTENSION } from '../common/auth/public.decorator';
import type { UserRole } from '../common/auth/roles';
import { REQUIRED_ROLE_EXTENSION } from '../common/auth/roles.decorator';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { CONDITIONAL_EXTENSION, ConditionalRoute } from '../common/http/conditional';
import { LOCATION_EXTENSION } from '../common/http/location';
import {
  IDEMPOTENT_EXTENSION,
  KEY_PATTERN,
  MAX_KEY_LENGTH,
  NOT_IDEMPOTENT_EXTENSION,
} from '../common/idempotency/idempotency';
import { PageDto } from '../common/pagination/page.dto';
import { UNTHROTTLED_EXTENSION } from '../common/throttling/unthrottled.decorator';
import { METRICS_AUTH } from '../metrics/metrics-token.guard';
import { documentProblems } from './problems';
import { documentValidationRules } from './validation-rules';

export const BEARER_AUTH = 'bearer';
export const API_KEY_AUTH = 'apiKey';

const DESCRIPTION_INTRO = `The API of the listings platform: people, profiles, listings ("posts") and their details,
saved posts, chats, and organisation accounts with API keys.

Errors are RFC 9457 problem details (\`application/problem+json\`) with a stable \`code\`.
Lists take \`limit\` (1 to 100, default 20) and an opaque \`cursor\`, and answer \`{ data, nextCursor }\`.
Each operation lists the error codes it can answer, with an example of each. Every response carries
\`X-Request-Id\`; rate-limited operations answer \`X-RateLimit-Limit\`, \`-Remaining\` and \`-Reset\`
(\`-auth\` variants on registration, login and refresh). Single posts, users, profiles and accounts
answer an \`ETag\`: \`If-None-Match\` makes a read a 304 while it is current, \`If-Match\` makes a change
apply only to the version the client saw (412 \`PRECONDITION_FAILED\` otherwise). A method a path does not answer is a 405 with
\`Allow\`; an unknown path is a 404 \`NOT_FOUND\`; a URL that is not valid UTF-8 is a 400 \`INVALID_URL\`.
Text anywhere in a request (path, query, body, property names) is Unicode without NUL: a NUL or an
unpaired surrogate is a 400 \`VALIDATION_FAILED\` naming the field, as is JSON nested deeper than 32
levels. A request body is a JSON object with only the properties its schema lists.`;

/**
 * The webhook payloads, which no operation answers: OpenAPI 3.0 has no \`webhooks\` section, so they are
 * components, described here (a new tag would be a change the breaking-change gate cannot classify).
 */
const WEBHOOKS_DESCRIPTION = `## Webhooks

An account's OWNERs and ADMINs register endpoints under \`/v1/accounts/{id}/webhooks\` (tag \`accounts\`).

Each delivery is a POST of a JSON body \`{ type, timestamp, data }\`, signed as Standard Webhooks say:
\`webhook-id\` (\`msg_<event id>\`, the same on every attempt: deduplicate on it), \`webhook-timestamp\`
(seconds, fresh on each attempt) and \`webhook-signature\` (\`v1,<base64 HMAC-SHA256 of id.timestamp.body>\`
with the endpoint's secret; during the 24 hours after a rotation, two space-separated signatures). Any
Standard Webhooks library verifies them with the \`whsec_\` secret. The bodies, by \`type\`:
- \`post.created\`, \`post.updated\`: schema \`WebhookPostEvent\` (\`data.post\` as \`GET /v1/posts/{id}\` answers it)
- \`post.deleted\`: schema \`WebhookPostDeletedEvent\` (\`data.post.id\`)
- \`webhook.test\`: schema \`WebhookTestEvent\`, sent by \`POST .../test\`

A 2xx within 10 seconds is a success; anything else (a redirect too: none is followed) is retried on
the server's schedule (by default after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h), later when the
answer's \`Retry-After\` asks. A 410, or five days of failures, disables the endpoint.`;

const DESCRIPTION = `${DESCRIPTION_INTRO}

${WEBHOOKS_DESCRIPTION}`;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Every tag an operation uses, declared in this order with what it groups. */
const TAGS: Record<string, string> = {
  auth: 'Registration, login, tokens and sessions',
  users: 'People: your own user, public users',
  profiles: 'Profiles of users',
  posts: 'Listings ("posts") and their details',
  'saved posts': 'Listings a user saved',
  chats: 'Two-person and group chats and their messages',
  accounts: 'Organisation accounts, their members and API keys',
  admin: 'Platform administration (role ADMIN)',
  operations: 'Health checks and metrics',
};

const WWW_AUTHENTICATE_HEADER = {
  'WWW-Authenticate': {
    description:
      'RFC 6750 challenge: `Bearer`, or `Bearer error="invalid_token"` with an `error_description` that ' +
      'tells an expired token from an invalid one',
    schema: { type: 'string' },
  },
};

/** Headers many responses carry, declared once under `components.headers`. */
const HEADERS = {
  RequestId: {
    description:
      'The id of the request, as in problem details and the server logs (or the one the client sent)',
    schema: { type: 'string' },
  },
  RateLimitLimit: { description: 'Requests allowed per window', schema: { type: 'integer', minimum: 0 } },
  RateLimitRemaining: {
    description: 'Requests left in this window',
    schema: { type: 'integer', minimum: 0 },
  },
  RateLimitReset: { description: 'Seconds until the window resets', schema: { type: 'integer', minimum: 0 } },
  Location: {
    description: 'The URL of the created resource',
    schema: { type: 'string', format: 'uri-reference' },
  },
  ETag: {
    description:
      'The strong entity tag of this representation: send it back in `If-None-Match` (a read) or ' +
      '`If-Match` (a change)',
    schema: { type: 'string', example: '"kX3o9n0x2yQ1b6yqYV0hBXb5dCs"' },
  },
};

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { $ref: '#/components/headers/RateLimitLimit' },
  'X-RateLimit-Remaining': { $ref: '#/components/headers/RateLimitRemaining' },
  'X-RateLimit-Reset': { $ref: '#/components/headers/RateLimitReset' },
};

const RETRY_AFTER_HEADER = {
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer', minimum: 0 },
  },
};

/** `PostsController` + `findOne` -> `posts_find_one`: stable, semantic operation ids. */
export function operationId(controllerKey: string, methodKey: string): string {
  const snake = (name: string): string =>
    name
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/[-\s]+/g, '_')
      .toLowerCase();
  return `${snake(controllerKey.replace(/Controller$/, ''))}_${snake(methodKey)}`;
}

/** The OpenAPI document of the application, as served at /docs and written to openapi.json. */
export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Listings API')
    .setDescription(DESCRIPTION)
    .setVersion(version)
    .addServer('/', 'The server that serves this document')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_AUTH)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, API_KEY_AUTH)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'opaque',
        description: 'METRICS_TOKEN, for /metrics only',
      },
      METRICS_AUTH,
    )
    .build();
  documentValidationRules();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: operationId,
    extraModels: [ProblemDetailsDto, PageDto],
  });
  for (const [path, pathItem] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (operation) {
        const idempotent = method === 'post' && documentIdempotency(operation);
        const extensions = operation as unknown as Record<string, unknown>;
        delete extensions[IDEMPOTENT_EXTENSION];
        delete extensions[NOT_IDEMPOTENT_EXTENSION];
        documentOperation(document, path, operation, idempotent);
      }
    }
  }
  document.components = { ...document.components, headers: HEADERS };
  namedReferences(document);
  namedPages(document);
  requestExamples(document);
  closedRequestBodies(document);
  declareTags(document);
  return document;
}

/** Security, error responses and their headers of one operation. */
function documentOperation(
  document: OpenAPIObject,
  path: string,
  operation: OperationObject,
  idempotent: boolean,
): void {
  // Like the global guard: a bearer token unless @Public(); an API key too where a scope allows it.
  const extensions = operation as unknown as Record<string, unknown>;
  const scope = extensions[REQUIRED_SCOPE_EXTENSION] as string | undefined;
  const roles = extensions[REQUIRED_ROLE_EXTENSION] as string | undefined;
  const keys = scope ? [{ [API_KEY_AUTH]: [] }] : [];
  const isPublic = extensions[PUBLIC_EXTENSION] === true;
  const isAnonymous = extensions[ANONYMOUS_EXTENSION] === true;
  delete extensions[PUBLIC_EXTENSION];
  delete extensions[ANONYMOUS_EXTENSION];
  if (isAnonymous && operation.security?.length) {
    // An operation with a credential of its own (metrics), outside the caller's.
  } else if (isPublic) {
    operation.security = keys.length ? [{}, { [BEARER_AUTH]: [] }, ...keys] : [];
  } else {
    operation.security = [{ [BEARER_AUTH]: [] }, ...keys];
  }
  documentProblems(document, {
    path,
    operation,
    anonymous: isAnonymous,
    public: isPublic,
    scope,
    roles: roles ? (roles.split(',') as UserRole[]) : undefined,
    idempotent,
  });
  const headers = (status: string, added: Record<string, unknown>): void => {
    const response = operation.responses[status] as { headers?: Record<string, unknown> } | undefined;
    if (response) {
      response.headers = { ...added, ...response.headers };
    }
  };
  const throttled = extensions[UNTHROTTLED_EXTENSION] !== true;
  const located = extensions[LOCATION_EXTENSION] === true;
  const conditional = extensions[CONDITIONAL_EXTENSION] as ConditionalRoute | undefined;
  delete extensions[UNTHROTTLED_EXTENSION];
  delete extensions[LOCATION_EXTENSION];
  delete extensions[CONDITIONAL_EXTENSION];
  if (conditional) {
    documentConditional(operation, conditional);
  }
  for (const status of Object.keys(operation.responses)) {
    headers(status, {
      'X-Request-Id': { $ref: '#/components/headers/RequestId' },
      ...(throttled && (status.startsWith('2') || status === '304') ? RATE_LIMIT_HEADERS : {}),
      ...(located && status === '201' ? { Location: { $ref: '#/components/headers/Location' } } : {}),
    });
  }
  headers('401', WWW_AUTHENTICATE_HEADER);
  headers('429', RETRY_AFTER_HEADER);
  headers('503', RETRY_AFTER_HEADER);
}

/**
 * A conditional read's `If-None-Match` and 304, a conditional change's `If-Match` (its 412 is declared
 * with the route), and the `ETag` of their 2xx (common/http/conditional.ts).
 */
function documentConditional(operation: OperationObject, route: ConditionalRoute): void {
  const etag = { ETag: { $ref: '#/components/headers/ETag' } };
  const parameter = route.read
    ? {
        name: 'If-None-Match',
        description:
          'The `ETag` of a representation the client holds: a 304 without a body while it is current',
      }
    : {
        name: 'If-Match',
        description:
          'The `ETag` of the representation the change is meant for: when the resource changed since, the ' +
          'change is refused with a 412 and nothing is written. Without it the change applies.',
      };
  operation.parameters = [
    ...(operation.parameters ?? []),
    { ...parameter, in: 'header', required: false, schema: { type: 'string' } },
  ];
  const readHeaders = route.read
    ? {
        'Cache-Control': {
          description: 'May be stored, but must be revalidated (`private` when it depends on the caller)',
          schema: { type: 'string', enum: ['no-cache', 'private, no-cache'] },
        },
        ...(route.vary
          ? {
              Vary: {
                description: `The representation depends on the caller: ${route.vary.map((name) => `\`${name}\``).join(', ')}`,
                schema: { type: 'string' },
              },
            }
          : {}),
      }
    : {};
  for (const [status, response] of Object.entries(operation.responses)) {
    if ((status === '200' || status === '201') && response && 'description' in response) {
      response.headers = { ...response.headers, ...etag, ...readHeaders };
    }
  }
  if (route.read) {
    operation.responses['304'] = {
      description: 'Not modified: the representation named in `If-None-Match` is still current (no body)',
      headers: { ...etag, ...readHeaders },
    };
  }
}

/**
 * `Idempotency-Key` on the POSTs marked @Idempotent(); those marked @NotIdempotent() (their answers hold
 * secrets) say that they ignore it. The app does not start with a POST marked neither.
 */
function documentIdempotency(operation: OperationObject): boolean {
  const extensions = operation as unknown as Record<string, unknown>;
  const idempotent = extensions[IDEMPOTENT_EXTENSION] === true;
  delete extensions[IDEMPOTENT_EXTENSION];
  if (!idempotent) {
    delete extensions[NOT_IDEMPOTENT_EXTENSION];
    operation.description = [operation.description, 'Not replayed: `Idempotency-Key` is ignored here.']
      .filter(Boolean)
      .join(' ');
    return false;
  }
  operation.parameters = [
    ...(operation.parameters ?? []),
    {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Makes a retry safe for 24 hours: the same key and body replay the first response ' +
        '(`Idempotent-Replayed: true`) and write nothing; the same key with another body is a 422; ' +
        'while the first request is in flight, a 409.',
      schema: { type: 'string', minLength: 1, maxLength: MAX_KEY_LENGTH, pattern: KEY_PATTERN.source },
    },
  ];
  for (const [status, response] of Object.entries(operation.responses)) {
    if (status.startsWith('2') && response && 'description' in response) {
      response.headers = {
        ...response.headers,
        'Idempotent-Replayed': {
          description: '`true` when this is the stored response of an earlier request with the same key',
          schema: { type: 'string', enum: ['true'] },
        },
      };
    }
  }
  return true;
}

type SchemaNode = Record<string, unknown>;

/** The value `null`, as OpenAPI 3.0.3 can say it: a nullable type whose only value is null. */
const NULL_ONLY = { type: 'object', nullable: true, enum: [null] };

/**
 * Named components where Nest writes wrappers: OpenAPI 3.0 ignores `nullable` beside a `$ref` (and
 * strict validators reject null against an `allOf` of one), so a nullable reference becomes "the
 * component, or null" (`anyOf`); an `allOf` of one reference with nothing beside it is the reference.
 */
function namedReferences(document: OpenAPIObject): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) {
      return;
    }
    const schema = node as SchemaNode;
    const only =
      Array.isArray(schema.allOf) && schema.allOf.length === 1 ? (schema.allOf[0] as SchemaNode) : undefined;
    if (typeof only?.$ref === 'string') {
      if (schema.nullable === true) {
        delete schema.allOf;
        delete schema.nullable;
        delete schema.type; // the branches say it
        schema.anyOf = [only, NULL_ONLY];
      } else if (Object.keys(schema).length === 1) {
        delete schema.allOf;
        schema.$ref = only.$ref;
      }
    }
    Object.values(schema).forEach(visit);
  };
  visit(document.paths);
  visit(document.components?.schemas);
}

/** The names of the components `node` refers to, and those they refer to in turn. */
function referencedSchemas(
  node: unknown,
  schemas: Record<string, SchemaNode>,
  found = new Set<string>(),
): Set<string> {
  if (Array.isArray(node)) {
    node.forEach((item) => referencedSchemas(item, schemas, found));
  } else if (typeof node === 'object' && node !== null) {
    const ref = (node as SchemaNode).$ref;
    const name = typeof ref === 'string' ? ref.split('/').pop() : undefined;
    if (name && !found.has(name)) {
      found.add(name);
      referencedSchemas(schemas[name], schemas, found);
    }
    Object.values(node).forEach((value) => referencedSchemas(value, schemas, found));
  }
  return found;
}

/**
 * The server refuses a body property that its schema does not declare (the validation pipe's
 * `forbidNonWhitelisted`), nested objects included: the schemas of request bodies say so. A schema that
 * a response uses too stays open (a client may meet more properties in answers as the API grows).
 */
function closedRequestBodies(document: OpenAPIObject): void {
  const schemas = document.components!.schemas as Record<string, SchemaNode>;
  const operations = Object.values(document.paths).flatMap((pathItem) =>
    HTTP_METHODS.map((method) => pathItem[method]).filter((operation) => operation !== undefined),
  );
  const inputs = referencedSchemas(
    operations.map((operation) => operation.requestBody),
    schemas,
  );
  const outputs = referencedSchemas(
    operations.map((operation) => operation.responses),
    schemas,
  );
  for (const name of inputs) {
    if (!outputs.has(name) && schemas[name].type === 'object') {
      schemas[name].additionalProperties = false;
    }
  }
}

/**
 * Each list's page as a component of its own (`PostSummaryPage`: `data` of its items, `nextCursor`),
 * instead of the shared envelope intersected with its items (`ApiPageResponse`).
 */
function namedPages(document: OpenAPIObject): void {
  const schemas = (document.components!.schemas ??= {}) as Record<string, SchemaNode>;
  const envelope = schemas.Page as { properties: Record<string, SchemaNode> };
  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const media = (
        pathItem[method]?.responses['200'] as { content?: Record<string, { schema?: SchemaNode }> }
      )?.content?.['application/json'];
      const schema = media?.schema;
      const parts = schema?.allOf as SchemaNode[] | undefined;
      if (
        !media ||
        !schema ||
        typeof schema.title !== 'string' ||
        parts?.[0]?.$ref !== '#/components/schemas/Page'
      ) {
        continue;
      }
      const items = (parts[1].properties as Record<string, SchemaNode>).data;
      schemas[schema.title] = {
        type: 'object',
        required: ['data', 'nextCursor'],
        properties: {
          data: { ...envelope.properties.data, ...items },
          nextCursor: envelope.properties.nextCursor,
        },
      };
      media.schema = { $ref: `#/components/schemas/${schema.title}` };
    }
  }
  delete schemas.Page;
}

/** Declares the tags (a tag used but not in `TAGS` fails the build, so none goes undescribed). */
function declareTags(document: OpenAPIObject): void {
  // A controller's tag and the `admin` tag of @Roles may be the same one.
  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (operation?.tags) {
        operation.tags = [...new Set(operation.tags)];
      }
    }
  }
  const used = new Set(
    Object.values(document.paths).flatMap((pathItem) =>
      HTTP_METHODS.flatMap((method) => pathItem[method]?.tags ?? []),
    ),
  );
  const undeclared = [...used].filter((tag) => !(tag in TAGS));
  if (undeclared.length > 0) {
    throw new Error(`Tags without a description in openapi.document.ts: ${undeclared.join(', ')}`);
  }
  document.tags = Object.entries(TAGS)
    .filter(([name]) => used.has(name))
    .map(([name, description]) => ({ name, description }));
}

/**
 * An example request body for each operation whose body can be made of its schema's own examples:
 * the required fields, and the optional ones that have an example (an optional id without one, such
 * as `accountId`, is left out rather than filled with an id that answers 404). A body that needs an
 * id of an existing resource has no example of its own. e2e tests send every example and expect a
 * success.
 */
function requestExamples(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaNode>;
  const exampleOf = (schema: SchemaNode, depth = 0): unknown => {
    if (typeof schema.$ref === 'string') {
      return depth > 5 ? undefined : exampleOf(schemas[schema.$ref.split('/').pop()!], depth + 1);
    }
    if ('example' in schema) {
      return schema.example;
    }
    if (Array.isArray(schema.allOf) && schema.allOf.length === 1) {
      return exampleOf(schema.allOf[0] as SchemaNode, depth);
    }
    if (Array.isArray(schema.enum)) {
      return schema.enum[0];
    }
    if (schema.type === 'integer' || schema.type === 'number') {
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    }
    if (schema.type === 'boolean') {
      return true;
    }
    if (schema.type === 'array' && schema.items) {
      const item = exampleOf(schema.items as SchemaNode, depth);
      return item === undefined ? undefined : [item];
    }
    if (schema.type === 'object' && schema.properties) {
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const body: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties as Record<string, SchemaNode>)) {
        const value = required.has(name) || 'example' in property ? exampleOf(property, depth) : undefined;
        if (value === undefined && required.has(name)) {
          return undefined;
        }
        if (value !== undefined) {
          body[name] = value;
        }
      }
      return body;
    }
    return undefined;
  };
  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const body = pathItem[method]?.requestBody as
        { content?: Record<string, { schema?: SchemaNode; example?: unknown }> } | undefined;
      const media = body?.content?.['application/json'];
      const example = media?.schema ? exampleOf(media.schema) : undefined;
      if (media && example !== undefined) {
        media.example = example;
      }
    }
  }
}
