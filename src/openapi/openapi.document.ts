import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PUBLIC_EXTENSION } from '../common/decorators/public.decorator';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { problemContent } from '../common/openapi/problem-responses.decorator';
import { PageDto } from '../common/pagination/page.dto';

export const BEARER_AUTH = 'bearer';
export const API_KEY_AUTH = 'apiKey';

const DESCRIPTION = `The API of the listings platform: people, profiles, listings ("posts") and their details,
saved posts, chats, and organisation accounts with API keys.

Errors are RFC 9457 problem details (\`application/problem+json\`) with a stable \`code\`.
Lists take \`limit\` (1 to 100, default 20) and an opaque \`cursor\`, and answer \`{ data, nextCursor }\`.`;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

// Every operation can be throttled or fail unexpectedly: documented once here, not on each route.
const COMMON_RESPONSES: Record<string, string> = {
  '429': 'Too many requests: wait for `Retry-After` seconds',
  '500': 'An unexpected error occurred',
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
    .addTag('operations', 'Health checks and metrics')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: operationId,
    extraModels: [ProblemDetailsDto, PageDto],
  });
  const operations = Object.values(document.paths).flatMap((pathItem) =>
    HTTP_METHODS.map((method) => pathItem[method]).filter((operation) => operation !== undefined),
  );
  for (const operation of operations) {
    // Like the global guard: every operation needs a bearer token unless it is @Public().
    const extensions = operation as unknown as Record<string, unknown>;
    if (extensions[PUBLIC_EXTENSION]) {
      operation.security = [];
      delete extensions[PUBLIC_EXTENSION];
    } else {
      operation.security ??= [{ [BEARER_AUTH]: [] }];
      operation.responses['401'] ??= {
        description: 'No valid credentials were given',
        content: problemContent(),
      };
    }
    for (const [status, description] of Object.entries(COMMON_RESPONSES)) {
      operation.responses[status] ??= { description, content: problemContent() };
    }
  }
  inlineNullableReferences(document);
  return document;
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
