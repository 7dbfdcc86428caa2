import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { dump } from 'js-yaml';

/**
 * asyncapi.yaml, the AsyncAPI 3 document of the realtime events (src/realtime), is made here from
 * what this file says of the channel and its events and from openapi.json's component schemas, so
 * the payloads cannot drift from the REST ones: `npm run asyncapi` writes it, `--check` fails when
 * the committed file differs. OpenAPI 3.0 schemas become JSON Schema (AsyncAPI's default format) by
 * `toJsonSchema`: `nullable` becomes a `null` type, `example` becomes `examples`.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const ROOT = path.resolve(__dirname, '..');
const SCHEMA_REF = '#/components/schemas/';

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An OpenAPI 3.0 schema as JSON Schema (draft 7, AsyncAPI's schema format). */
export function toJsonSchema(schema: Json): Json {
  if (Array.isArray(schema)) {
    return schema.map(toJsonSchema);
  }
  if (!isObject(schema)) {
    return schema;
  }
  // The null-only branch of a nullable reference (`anyOf: [{ $ref }, <this>]`).
  if (
    schema.nullable === true &&
    Array.isArray(schema.enum) &&
    schema.enum.length === 1 &&
    schema.enum[0] === null
  ) {
    return { type: 'null' };
  }
  const converted: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable') {
      continue;
    }
    if (key === 'example') {
      converted.examples = [value];
    } else if (key === 'properties' && isObject(value)) {
      converted.properties = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [name, toJsonSchema(property)]),
      );
    } else if (['items', 'additionalProperties', 'anyOf', 'allOf', 'oneOf', 'not'].includes(key)) {
      converted[key] = toJsonSchema(value);
    } else {
      converted[key] = value;
    }
  }
  if (schema.nullable === true && typeof schema.type === 'string') {
    converted.type = [schema.type, 'null'];
  }
  return converted;
}

/** The component schemas `names` need, themselves included, by name. */
function withReferences(components: JsonObject, names: string[]): string[] {
  const found = new Set<string>();
  const visit = (value: Json): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (isObject(value)) {
      const ref = value.$ref;
      if (typeof ref === 'string' && ref.startsWith(SCHEMA_REF)) {
        add(ref.slice(SCHEMA_REF.length));
      }
      Object.values(value).forEach(visit);
    }
  };
  const add = (name: string): void => {
    if (!found.has(name)) {
      if (!(name in components)) {
        throw new Error(`openapi.json has no component schema ${name}`);
      }
      found.add(name);
      visit(components[name]);
    }
  };
  names.forEach(add);
  return [...found].sort();
}

const uuid = { type: 'string', format: 'uuid' };
const ref = (name: string): JsonObject => ({ $ref: `${SCHEMA_REF}${name}` });
const object = (properties: JsonObject, description?: string): JsonObject => ({
  type: 'object',
  ...(description ? { description } : {}),
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});

/** Events the server emits: name, summary, payload. */
const SERVER_EVENTS: [string, string, JsonObject][] = [
  [
    'session.ready',
    "The connection's first event (not sent again after a recovery): who the socket speaks for and when its access token expires. From it on, a client that drops and reconnects within 2 minutes receives what it missed.",
    object({ userId: uuid, expiresAt: { type: 'string', format: 'date-time' } }),
  ],
  [
    'message.created',
    'A message was written in a chat the user takes part in (the sender included), as GET /v1/chats/{id}/messages gives it.',
    object({ chatId: uuid, message: ref('Message') }),
  ],
  [
    'chat.read',
    "A participant's read mark moved (POST /v1/chats/{id}/read), to every participant.",
    object({ chatId: uuid, userId: uuid, lastReadAt: { type: 'string', format: 'date-time' } }),
  ],
  [
    'chat.created',
    'A chat was created with the user in it, to the participants other than its creator.',
    object({ chat: ref('Chat') }),
  ],
  [
    'chat.typing',
    'Another participant is typing (volatile: dropped rather than queued, never replayed on recovery).',
    object({ chatId: uuid, userId: uuid }),
  ],
  [
    'session.ended',
    'Sent just before the server disconnects the socket: its access token expired (TOKEN_EXPIRED) or its session no longer holds (SESSION_ENDED: a logout, a revocation, a password change). Reconnect with a fresh access token, or not at all.',
    object({ reason: { type: 'string', enum: ['TOKEN_EXPIRED', 'SESSION_ENDED'] } }),
  ],
  [
    'server.shutdown',
    'This instance is shutting down and closes the connection: the client reconnects by itself (to another instance) after about reconnectAfterMs.',
    object({ reconnectAfterMs: { type: 'integer', minimum: 0 } }),
  ],
];

const ACK = {
  name: 'ack',
  title: 'Acknowledgement',
  summary: 'The answer to a client event, through its Socket.IO acknowledgement callback.',
  payload: {
    oneOf: [
      object({ ok: { type: 'boolean', const: true } }),
      object({
        ok: { type: 'boolean', const: true },
        expiresAt: { type: 'string', format: 'date-time' },
      }),
      object({
        error: object({
          code: {
            type: 'string',
            description:
              'VALIDATION_FAILED (the payload is not as documented), NOT_FOUND (a chat the caller is not in), RATE_LIMITED, UNAUTHENTICATED, UNKNOWN_EVENT, DATABASE_UNAVAILABLE, INTERNAL_ERROR',
          },
          detail: { type: 'string' },
        }),
      }),
    ],
  },
};

/** Events clients send, each answered with an ack. */
const CLIENT_EVENTS: [string, string, JsonObject][] = [
  [
    'chat.typing',
    `The caller is typing in a chat: its other participants get chat.typing. At most 10 per 10 s per socket (then RATE_LIMITED); NOT_FOUND for a chat the caller is not in.`,
    object({ chatId: uuid }),
  ],
  [
    'auth.refresh',
    'A newer access token of the same session (after POST /v1/auth/refresh), so the socket stays connected past the expiry of the token it connected with. Answered with the new expiry.',
    object({ token: { type: 'string' } }),
  ],
];

const DESCRIPTION = `Chat events pushed over Socket.IO 4 (websocket transport) on the API's HTTP port, path \`/v1/realtime\`.

**Connecting**: \`io(baseUrl, { path: '/v1/realtime', transports: ['websocket'], auth: { token: <access token> } })\`. The token is checked as the HTTP API checks a bearer token (signature, expiry, its session). A missing, malformed, expired or revoked one is refused: \`connect_error\` with \`data: { code: 'UNAUTHENTICATED', detail }\` (\`DATABASE_UNAVAILABLE\` while the database cannot be reached).

**Whose events**: a socket receives the events of the chats its user takes part in at the time of the event; someone who left gets nothing more. Payload schemas are those of openapi.json (\`Message\`, \`Chat\`, ...), in JSON Schema form.

**Staying connected**: a socket belongs to its session. A logout, a revocation or a password change that ends its session disconnects it on every instance (\`session.ended\`, then a server disconnect: the client does not reconnect by itself). When its access token expires the socket is disconnected the same way, unless the client sent \`auth.refresh\` with a newer token of the same session before that; or it reconnects with a fresh token (\`socket.auth.token = ...; socket.connect()\`).

**Missed events**: a client that reconnects within 2 minutes of a drop receives what it missed (Socket.IO connection state recovery; the handshake's token is checked again); after longer, REST is the source of truth.

**Client events** are answered through the acknowledgement callback with \`{ ok: true }\` or \`{ error: { code, detail } }\`, never a disconnection; an event the server does not know gets \`UNKNOWN_EVENT\`.`;

function messageName(event: string, direction: 'client' | 'server'): string {
  const camel = event.replace(/\.(\w)/g, (_, letter: string) => letter.toUpperCase());
  return direction === 'server' ? camel : `${camel}Request`;
}

export function buildAsyncApi(openapi: JsonObject): JsonObject {
  const components = (openapi.components as JsonObject).schemas as JsonObject;
  const info = openapi.info as { title: string; version: string };
  const messages: JsonObject = {};
  const operations: JsonObject = {};
  for (const [event, summary, payload] of SERVER_EVENTS) {
    const name = messageName(event, 'server');
    messages[name] = { name: event, summary, payload };
    operations[`emit${name[0].toUpperCase()}${name.slice(1)}`] = {
      action: 'send',
      channel: { $ref: '#/channels/realtime' },
      summary,
      messages: [{ $ref: `#/channels/realtime/messages/${name}` }],
    };
  }
  for (const [event, summary, payload] of CLIENT_EVENTS) {
    const name = messageName(event, 'client');
    messages[name] = { name: event, summary, payload };
    operations[`on${name[0].toUpperCase()}${name.slice(1).replace(/Request$/, '')}`] = {
      action: 'receive',
      channel: { $ref: '#/channels/realtime' },
      summary,
      messages: [{ $ref: `#/channels/realtime/messages/${name}` }],
      reply: {
        channel: { $ref: '#/channels/realtime' },
        messages: [{ $ref: '#/channels/realtime/messages/ack' }],
      },
    };
  }
  messages.ack = ACK;
  const schemas = withReferences(components, ['Message', 'Chat']);
  return {
    asyncapi: '3.0.0',
    info: {
      title: `${info.title}: realtime events`,
      version: info.version,
      description: DESCRIPTION,
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: 'localhost:3000',
        protocol: 'ws',
        pathname: '/v1/realtime',
        description: 'Socket.IO 4 over WebSocket on the API port (the embedded default).',
        security: [{ $ref: '#/components/securitySchemes/accessToken' }],
      },
    },
    channels: {
      realtime: {
        address: '/v1/realtime',
        title: 'The Socket.IO connection of a signed-in user',
        messages,
      },
    },
    operations,
    components: {
      securitySchemes: {
        accessToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'The access token of POST /v1/auth/login, sent as `auth.token` in the Socket.IO handshake.',
        },
      },
      schemas: Object.fromEntries(schemas.map((name) => [name, toJsonSchema(components[name])])),
    },
  };
}

export function renderAsyncApi(): string {
  const openapi = JSON.parse(readFileSync(path.join(ROOT, 'openapi.json'), 'utf8')) as JsonObject;
  return `# Generated by \`npm run asyncapi\` (scripts/asyncapi.ts) from openapi.json: do not edit.\n${dump(
    buildAsyncApi(openapi),
    { lineWidth: 100, noRefs: true },
  )}`;
}

if (require.main === module) {
  const file = path.join(ROOT, 'asyncapi.yaml');
  const rendered = renderAsyncApi();
  if (process.argv.includes('--check')) {
    if (readFileSync(file, 'utf8') !== rendered) {
      console.error('asyncapi.yaml is stale: run npm run asyncapi');
      process.exit(1);
    }
    console.log('asyncapi.yaml is what openapi.json and scripts/asyncapi.ts make');
  } else {
    writeFileSync(file, rendered);
    console.log(`wrote ${file}`);
  }
}
