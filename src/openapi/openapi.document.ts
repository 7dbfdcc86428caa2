import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { OperationObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { REQUIRED_SCOPE_EXTENSION } from '../common/auth/api-key-scopes.decorator';
import { ANONYMOUS_EXTENSION, PUBLIC_EXTENSION } from '../common/auth/public.decorator';
import { IDEMPOTENT_EXTENSION, NOT_IDEMPOTENT_EXTENSION } from '../modules/idempotency/idempotency';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { problemContent } from '../common/openapi/problem-responses.decorator';
import { METRICS_AUTH } from '../metrics/metrics-token.guard';
import { PageDto } from '../common/pagination/page.dto';

export const BEARER_AUTH = 'bearer';
export const API_KEY_AUTH = 'apiKey';

const DESCRIPTION = `The API of the listings platform: people, profiles, listings ("posts") and their details,
saved posts, chats, and organisation accounts with API keys.

Errors are RFC 9457 problem details (\`application/problem+json\`) with a stable \`code\`.
Lists take \`limit\` (1 to 100, default 20) and an opaque \`cursor\`, and answer \`{ data, nextCursor }\`.`;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

// Every operation can be throttled, find its database unavailable or fail unexpectedly: documented
// once here, not on each route.
const COMMON_RESPONSES: Record<string, string> = {
  '429': 'Too many requests: wait for `Retry-After` seconds',
  '500': 'An unexpected error occurred',
  '503': 'The database is unavailable (`DATABASE_UNAVAILABLE`): try again after `Retry-After` seconds',
};

const WWW_AUTHENTICATE_HEADER = {
  'WWW-Authenticate': {
    description:
      'RFC 6750 challenge: `Bearer`, or `Bearer error="invalid_token"` with an `error_description` that ' +
      'tells an expired token from an invalid one',
    schema: { type: 'string' },
  },
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
    .addTag('operations', 'Health checks and metrics')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: operationId,
    extraModels: [ProblemDetailsDto, PageDto],
  });
  for (const pathItem of Object.values(document.paths)) {
    if (pathItem.post) {
      documentIdempotency(pathItem.post);
    }
  }
  const operations = Object.values(document.paths).flatMap((pathItem) =>
    HTTP_METHODS.map((method) => pathItem[method]).filter((operation) => operation !== undefined),
  );
  for (const operation of operations) {
    // Like the global guard: a bearer token unless @Public(); an API key too where a scope allows it.
    const extensions = operation as unknown as Record<string, unknown>;
    const keys = extensions[REQUIRED_SCOPE_EXTENSION] ? [{ [API_KEY_AUTH]: [] }] : [];
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
    if (!isPublic || keys.length) {
      operation.responses['401'] ??= {
        description: 'No valid credentials were given',
        headers: WWW_AUTHENTICATE_HEADER,
        content: problemContent(),
      };
    } else if (!isAnonymous) {
      operation.responses['401'] ??= {
        description:
          'A bearer token was sent and is invalid or expired (`WWW-Authenticate: Bearer error="invalid_token"`): ' +
          'refresh it, or send none to read anonymously',
        headers: WWW_AUTHENTICATE_HEADER,
        content: problemContent(),
      };
    }
    if (!isPublic) {
      operation.responses['403'] ??= {
        description: 'Not allowed (an API key on an operation for people is refused)',
        content: problemContent(),
      };
    }
    for (const [status, description] of Object.entries(COMMON_RESPONSES)) {
      operation.responses[status] ??= { description, content: problemContent() };
    }
    if (operation.parameters?.some((parameter) => 'in' in parameter && parameter.in === 'path')) {
      operation.responses['414'] ??= {
        description: 'A path segment is longer than any id (`URI_TOO_LONG`)',
        content: problemContent(),
      };
    }
    for (const status of ['429', '503']) {
      const response = operation.responses[status] as { headers?: Record<string, unknown> };
      response.headers = { ...RETRY_AFTER_HEADER, ...response.headers };
    }
  }
  inlineNullableReferences(document);
  return document;
}

/**
 * `Idempotency-Key` on the POSTs marked @Idempotent(); those marked @NotIdempotent() (their answers hold
 * secrets) say that they ignore it. The app does not start with a POST marked neither.
 */
function documentIdempotency(operation: OperationObject): void {
  const extensions = operation as unknown as Record<string, unknown>;
  const idempotent = extensions[IDEMPOTENT_EXTENSION] === true;
  delete extensions[IDEMPOTENT_EXTENSION];
  if (!idempotent) {
    delete extensions[NOT_IDEMPOTENT_EXTENSION];
    operation.description = [operation.description, 'Not replayed: `Idempotency-Key` is ignored here.']
      .filter(Boolean)
      .join(' ');
    return;
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
      schema: { type: 'string', minLength: 1, maxLength: 255 },
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
  operation.responses['409'] ??= {
    description: 'A request with this Idempotency-Key is still in flight',
    content: problemContent(),
  };
  operation.responses['422'] ??= {
    description: 'The Idempotency-Key was used for another request',
    content: problemContent(),
  };
}

type SchemaNode = Record<string, unknown>;

/**
 * OpenAPI 3.0 ignores `nullable` beside a `$ref` (and strict validators reject null against an
 * `allOf` of one), so a nullable reference becomes a copy of the referenced schema, marked nullable:
 * valid under every reading of the 3.0 specification.
 */
function inlineNullableReferences(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaNode>;
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
    if (schema.nullable === true && typeof only?.$ref === 'string') {
      const target = schemas[only.$ref.split('/').pop()!];
      delete schema.allOf;
      Object.assign(schema, structuredClone(target), { nullable: true });
      if (Array.isArray(schema.enum) && !schema.enum.includes(null)) {
        schema.enum = [...(schema.enum as unknown[]), null];
      }
    }
    Object.values(schema).forEach(visit);
  };
  visit(document.paths);
  visit(schemas);
}
