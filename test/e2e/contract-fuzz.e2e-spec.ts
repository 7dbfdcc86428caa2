import { readFileSync } from 'node:fs';
import path from 'node:path';

import { PrismaService } from 'nestjs-prisma';
import pg from 'pg';

import { connectionOptions } from '@/database/pg-connection';

import { createChat } from '../factories/chats';
import { createPost } from '../factories/posts';
import { RegisteredUser, registerUser } from '../factories/users';
import type { ApiResponse, RequestOptions } from '../helpers/api-client';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * A fuzzer driven by openapi.json: for every operation, every parameter and every body field (one
 * level into nested objects) in turn gets hostile values, sent with an admin's credentials and
 * without. Every answer must be below 500, an error must be a problem document (the test client also
 * checks each answer against the document), and a refused request must have written nothing: the
 * data is re-read after each one.
 */

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  example?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  enum?: unknown[];
};
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

const document = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

function resolve(schema: Schema | undefined): Schema {
  let current = schema ?? {};
  for (let depth = 0; depth < 10; depth += 1) {
    if (current.$ref) {
      current = document.components.schemas[current.$ref.split('/').pop()!];
    } else if (current.allOf?.length === 1) {
      current = current.allOf[0];
    } else {
      break;
    }
  }
  return current;
}

const deepArray = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i += 1) {
    value = [value];
  }
  return value;
};

/** Values no field should accept as they are, of every shape. */
const HOSTILE_VALUES: unknown[] = [
  'a\u0000b',
  'a\ud800b',
  '\udfff',
  'x'.repeat(100_000),
  '',
  [],
  [1, 2],
  {},
  { nested: { deeper: true } },
  123,
  -1,
  1.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  'not a number',
  true,
  null,
  deepArray(200),
];

/** The same, as they can stand in a URL (path or query). */
const HOSTILE_TEXT = [
  'a\u0000b',
  'a\ud800b',
  'x'.repeat(8000),
  '',
  '-1',
  '1e308',
  '99999999999999999999999',
  '1.5',
  '[]',
  '{}',
  'true',
  '../../etc/passwd',
  "' OR 1=1 --",
  '%',
];

/** Whole bodies of the wrong kind, and JSON that parsers read differently. */
const HOSTILE_BODIES = [
  '[]',
  '"text"',
  '123',
  'null',
  '{"a":1,"a":2}',
  `{"x":${'['.repeat(3000)}${']'.repeat(3000)}}`,
];

/** Header values a client can send (latin-1 only). */
const HOSTILE_HEADERS = ['x'.repeat(300), ' ', '{}', 'ä'];

function encodeText(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate has no UTF-8 form: sent as the bytes of its CESU-8 form, which are not UTF-8.
    return encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '')) + '%ED%A0%80';
  }
}

describe('contract fuzzing (openapi.json)', () => {
  let server: TestApp;
  let admin: RegisteredUser;
  let other: RegisteredUser;
  let ids: Record<string, string>;
  let snapshotClient: pg.Client;

  beforeAll(async () => {
    server = await startTestApp();
    admin = await registerUser(server.api);
    other = await registerUser(server.api);
    await server.app.get(PrismaService).user.update({ where: { id: admin.id }, data: { role: 'ADMIN' } });
    const login = await server.api.post('/v1/auth/login', { email: admin.email, password: admin.password });
    admin = { ...admin, accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
    const post = await createPost(server.api, admin.accessToken, { detail: { desc: 'A flat' } });
    const chat = await createChat(server.api, admin, [other]);
    const account = await server.api.post(
      '/v1/accounts',
      { name: 'Fuzz agency' },
      { token: admin.accessToken },
    );
    const key = await server.api.post(
      `/v1/accounts/${account.body.id}/api-keys`,
      { name: 'fuzz', scopes: ['posts:read'] },
      { token: admin.accessToken },
    );
    const sessions = await server.api.get('/v1/auth/sessions', { token: admin.accessToken });
    ids = {
      post: post.id,
      user: other.id,
      chat: chat.id,
      account: account.body.id,
      key: key.body.id,
      session:
        sessions.body.data.find((s: { current: boolean }) => !s.current)?.id ?? sessions.body.data[0].id,
    };
    snapshotClient = new pg.Client(connectionOptions(server.database.url));
    await snapshotClient.connect();
  });

  afterAll(async () => {
    await snapshotClient.end();
    await server.close();
  });

  /** A digest of everything a request could write (not the columns that reads touch, such as lastUsedAt). */
  async function snapshot(): Promise<string> {
    const tables = [
      'users',
      'profiles',
      'posts',
      'post_details',
      'saved_posts',
      'chats',
      'chat_participants',
      'messages',
      'accounts',
      'user_accounts',
      'webhook_endpoints',
    ];
    const parts = [
      ...tables.map(
        (table) => `SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM ${table} t`,
      ),
      `SELECT md5(coalesce(string_agg(id::text || coalesce(revoked_at::text, ''), ',' ORDER BY id), '')) FROM api_keys`,
      `SELECT md5(coalesce(string_agg(id::text || coalesce(revoked_at::text, ''), ',' ORDER BY id), '')) FROM sessions`,
    ];
    const { rows } = await snapshotClient.query<{ digest: string }>(
      `SELECT string_agg(d, '') AS digest FROM (${parts.map((part) => `(${part})`).join(' UNION ALL ')}) AS x(d)`,
    );
    return rows[0].digest;
  }

  function pathValue(template: string, name: string): string {
    if (name === 'keyId') {
      return ids.key;
    }
    if (name === 'userId') {
      return ids.user;
    }
    if (name === 'postId') {
      return ids.post;
    }
    if (template.startsWith('/v1/posts')) {
      return ids.post;
    }
    if (template.startsWith('/v1/chats')) {
      return ids.chat;
    }
    if (template.startsWith('/v1/accounts')) {
      return ids.account;
    }
    if (template.startsWith('/v1/auth/sessions')) {
      return ids.session;
    }
    return ids.user;
  }

  /** A plausible value for a field, from its example or its type, so the other fields stay sensible. */
  function plausible(name: string, schema: Schema): unknown {
    const resolved = resolve(schema);
    if (resolved.example !== undefined) {
      return resolved.example;
    }
    if (resolved.enum?.length) {
      return resolved.enum[0];
    }
    if (resolved.format === 'uuid') {
      return name.startsWith('post') ? ids.post : ids.user;
    }
    switch (resolved.type) {
      case 'integer':
      case 'number':
        return 1;
      case 'boolean':
        return true;
      case 'array':
        return resolved.items ? [plausible(name, resolved.items)] : [];
      case 'object':
        return baseline(resolved);
      default:
        return resolved.format === 'email' ? 'fuzz@example.com' : 'text';
    }
  }

  function baseline(schema: Schema): Record<string, unknown> {
    const resolved = resolve(schema);
    const body: Record<string, unknown> = {};
    for (const name of resolved.required ?? []) {
      body[name] = plausible(name, resolved.properties?.[name] ?? {});
    }
    return body;
  }

  /** Every (field path, value) variant of a body: top-level fields, and one level into nested objects. */
  function bodyVariants(schema: Schema): { label: string; body?: unknown; rawBody?: string }[] {
    const resolved = resolve(schema);
    const base = baseline(resolved);
    const variants: { label: string; body?: unknown; rawBody?: string }[] = HOSTILE_BODIES.map((rawBody) => ({
      label: `body ${rawBody.slice(0, 20)}`,
      rawBody,
    }));
    for (const [name, property] of Object.entries(resolved.properties ?? {})) {
      for (const value of HOSTILE_VALUES) {
        variants.push({
          label: `${name} = ${JSON.stringify(value)?.slice(0, 20)}`,
          body: { ...base, [name]: value },
        });
      }
      const nested = resolve(property);
      for (const [inner, innerSchema] of Object.entries(nested.properties ?? {})) {
        if (nested.type !== 'object' && !nested.properties) {
          continue;
        }
        void innerSchema;
        for (const value of HOSTILE_VALUES) {
          variants.push({
            label: `${name}.${inner} = ${JSON.stringify(value)?.slice(0, 20)}`,
            body: { ...base, [name]: { ...baseline(nested), [inner]: value } },
          });
        }
      }
    }
    return variants;
  }

  const operations = Object.entries(document.paths).flatMap(([template, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      template,
      method: method.toUpperCase(),
      operation,
    })),
  );

  it.each(operations.map((entry) => [`${entry.method} ${entry.template}`, entry] as const))(
    '%s: no 5xx, problem documents, nothing written',
    async (_, { template, method, operation }) => {
      const parameters = operation.parameters ?? [];
      const fill = (overrides: Record<string, string> = {}): string => {
        let url = template.replace(
          /\{(\w+)\}/g,
          (_m, name: string) => overrides[name] ?? pathValue(template, name),
        );
        const query = parameters
          .filter((p) => p.in === 'query' && overrides[p.name] !== undefined)
          .map((p) => `${p.name}=${overrides[p.name]}`);
        if (query.length) {
          url += `?${query.join('&')}`;
        }
        return url;
      };
      const schema = operation.requestBody?.content['application/json']?.schema;
      const requests: { label: string; url: string; options: RequestOptions }[] = [];
      for (const parameter of parameters) {
        if (parameter.in === 'header') {
          for (const value of HOSTILE_HEADERS) {
            requests.push({
              label: `${parameter.name}: ${value.slice(0, 10)}`,
              url: fill(),
              options: { headers: { [parameter.name]: value }, body: schema ? baseline(schema) : undefined },
            });
          }
          continue;
        }
        for (const value of HOSTILE_TEXT) {
          const encoded = encodeText(value);
          requests.push({
            label: `${parameter.in} ${parameter.name} = ${value.slice(0, 20)}`,
            url: fill({ [parameter.name]: parameter.in === 'path' && encoded === '' ? '%20' : encoded }),
            options: { body: schema ? baseline(schema) : undefined },
          });
        }
        if (parameter.in === 'query') {
          requests.push({
            label: `query ${parameter.name} twice`,
            url: `${fill()}${fill().includes('?') ? '&' : '?'}${parameter.name}=1&${parameter.name}=2`,
            options: {},
          });
        }
      }
      if (schema) {
        for (const variant of bodyVariants(schema)) {
          requests.push({
            label: variant.label,
            url: fill(),
            options: variant.rawBody !== undefined ? { rawBody: variant.rawBody } : { body: variant.body },
          });
        }
      }

      let before = await snapshot();
      const failures: string[] = [];
      for (const request of requests) {
        for (const token of [admin.accessToken, undefined]) {
          const who = token ? 'admin' : 'anonymous';
          let response: ApiResponse;
          try {
            response = await server.api.request(method, request.url, {
              ...request.options,
              token,
              invalid: `fuzzing: ${request.label}`,
            });
          } catch (error) {
            failures.push(
              `${who} ${request.label}: ${(error as Error).message.split('\n').slice(0, 2).join(' ')}`,
            );
            continue;
          }
          if (response.status >= 500) {
            failures.push(`${who} ${request.label}: ${response.status} ${response.text.slice(0, 200)}`);
          } else if (response.status >= 400) {
            if (!/^application\/problem\+json/.test(response.headers.get('content-type') ?? '')) {
              failures.push(`${who} ${request.label}: ${response.status} is not a problem document`);
            }
            const after = await snapshot();
            if (after !== before) {
              failures.push(`${who} ${request.label}: ${response.status}, yet the data changed`);
            }
            before = after;
          } else {
            before = await snapshot();
          }
        }
      }
      expect(failures.map((failure) => failure.replace(/x{40,}/g, 'x…').slice(0, 400))).toEqual([]);
    },
  );
});
