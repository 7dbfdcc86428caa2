import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { AuthService } from '@/modules/auth/auth.service';

import { png, uploadPhoto } from '../factories/photos';
import { registerUser } from '../factories/users';
import { useTestApp } from '../helpers/test-app';

interface Operation {
  method: string;
  path: string;
  example: unknown;
}

/** Every operation of openapi.json whose JSON request body carries an example. */
function documentedExamples(): Operation[] {
  const document = JSON.parse(readFileSync(join(__dirname, '../../openapi.json'), 'utf8')) as {
    paths: Record<
      string,
      Record<string, { requestBody?: { content?: Record<string, { example?: unknown }> } }>
    >;
  };
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, operation]) => {
      const media = operation.requestBody?.content?.['application/json'];
      return media && 'example' in media
        ? [{ method: method.toUpperCase(), path, example: media.example }]
        : [];
    }),
  );
}

/**
 * The request examples of the document, sent as a reader of Swagger UI would send them ("Try it
 * out"), in an order where each finds what it needs: each must succeed.
 */
describe('request examples of openapi.json', () => {
  const server = useTestApp();

  it('each succeeds when sent', async () => {
    const examples = new Map(
      documentedExamples().map((operation) => [`${operation.method} ${operation.path}`, operation]),
    );
    const sent = new Set<string>();
    const ids: Record<string, string> = {};
    let token = '';
    const send = async (key: string, expected: number, params: Record<string, string> = {}) => {
      const operation = examples.get(key);
      expect({ key, documented: operation !== undefined }).toEqual({ key, documented: true });
      const path = operation!.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name]);
      const response = await server.api.request(operation!.method, path, { body: operation!.example, token });
      expect({ key, status: response.status, body: response.body }).toMatchObject({ key, status: expected });
      sent.add(key);
      return response.body as Record<string, unknown>;
    };

    const registered = await send('POST /v1/auth/register', 201);
    token = registered.accessToken as string;
    await send('POST /v1/auth/login', 200);
    await send('PATCH /v1/users/me', 200);
    await send('POST /v1/auth/password/forgot', 202);
    await send('POST /v1/users/me/email', 202);
    await send('PUT /v1/users/me/profile', 201);
    await send('PATCH /v1/users/me/profile', 200);

    ids.post = (await send('POST /v1/posts', 201)).id as string;
    await send('PATCH /v1/posts/{id}', 200, { id: ids.post });
    const photo = await uploadPhoto(server.api, ids.post, await png(), { token });
    expect(photo.status).toBe(201);
    await send('PATCH /v1/posts/{id}/photos/{photoId}', 200, { id: ids.post, photoId: photo.body.id });

    ids.account = (await send('POST /v1/accounts', 201)).id as string;
    await send('PATCH /v1/accounts/{id}', 200, { id: ids.account });
    await send('POST /v1/accounts/{id}/api-keys', 201, { id: ids.account });
    ids.webhook = (await send('POST /v1/accounts/{id}/webhooks', 201, { id: ids.account })).id as string;
    await send('PATCH /v1/accounts/{id}/webhooks/{webhookId}', 200, {
      id: ids.account,
      webhookId: ids.webhook,
    });
    const member = await registerUser(server.api);
    const added = await server.api.post(
      `/v1/accounts/${ids.account}/members`,
      { userId: member.id, role: 'MEMBER' },
      { token },
    );
    expect(added.status).toBe(201);
    await send('PATCH /v1/accounts/{id}/members/{userId}', 200, { id: ids.account, userId: member.id });

    const other = await registerUser(server.api);
    const chat = await server.api.post('/v1/chats', { participantIds: [other.id] }, { token });
    expect(chat.status).toBe(201);
    await send('POST /v1/chats/{id}/messages', 201, { id: chat.body.id });
    ids.report = (await send('POST /v1/posts/{id}/reports', 201, { id: ids.post })).id as string;

    await server.app
      .get(AuthService)
      .promoteAdmin(registered.user ? (registered.user as { email: string }).email : '');
    const relogin = await server.api.post('/v1/auth/login', examples.get('POST /v1/auth/login')!.example);
    token = relogin.body.accessToken;
    await send('PATCH /v1/users/{id}/role', 200, { id: other.id });
    await send('POST /v1/admin/reports/{id}/resolve', 200, { id: ids.report });
    await send('POST /v1/admin/users/{id}/suspend', 204, { id: other.id });

    await send('POST /v1/auth/password', 204);

    // A new example must be added to this walk, not silently skipped.
    expect([...examples.keys()].filter((key) => !sent.has(key))).toEqual([]);
  });
});
