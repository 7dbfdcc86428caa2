import jwt from 'jsonwebtoken';

import { AppConfig } from '@/config/config.module';

import { createChat } from '../factories/chats';
import { createPost, newPostInput } from '../factories/posts';
import { newUserInput, RegisteredUser, registerUser } from '../factories/users';
import type { ApiResponse } from '../helpers/api-client';
import { useTestApp } from '../helpers/test-app';

function expectFieldError(response: ApiResponse, field: string): void {
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body.code).toBe('VALIDATION_FAILED');
  expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
}

describe('hostile input', () => {
  const server = useTestApp();
  let user: RegisteredUser;

  beforeAll(async () => {
    user = await registerUser(server.api);
  });

  describe('text with NUL or unpaired surrogates', () => {
    it('is a 400 naming the field in a query, a path and a body', async () => {
      const invalid = 'text with NUL or an unpaired surrogate';
      expectFieldError(await server.api.get('/v1/posts?limit=1&q=a%00b', { invalid }), 'q');
      expectFieldError(await server.api.get('/v1/users/a%00b', { invalid }), 'id');
      expectFieldError(
        await server.api.post('/v1/auth/login', { email: 'a\u0000b', password: 'x' }, { invalid }),
        'email',
      );
      expectFieldError(
        await server.api.post('/v1/auth/register', newUserInput({ email: 'a\ud800b@example.com' }), {
          invalid,
        }),
        'email',
      );
      const post = await server.api.post('/v1/posts', newPostInput({ title: 'a\ud800b' }), {
        token: user.accessToken,
        invalid,
      });
      expectFieldError(post, 'title');
      const detail = await server.api.post('/v1/posts', newPostInput({ detail: { desc: 'x\u0000' } }), {
        token: user.accessToken,
        invalid,
      });
      expectFieldError(detail, 'detail.desc');
      const images = await server.api.post(
        '/v1/posts',
        newPostInput({ images: ['https://a.example/\udc00'] }),
        {
          token: user.accessToken,
          invalid,
        },
      );
      expectFieldError(images, 'images.0');
    });

    it('is refused in a chat message instead of being stored altered', async () => {
      const other = await registerUser(server.api);
      const chat = await createChat(server.api, user, [other]);
      const sent = await server.api.post(`/v1/chats/${chat.id}/messages`, undefined, {
        token: user.accessToken,
        rawBody: '{"text":"hi \\ud83d there"}',
        invalid: 'an unpaired surrogate',
      });
      expectFieldError(sent, 'text');
      const messages = await server.api.get(`/v1/chats/${chat.id}/messages`, { token: user.accessToken });
      expect(messages.body.data).toEqual([]);
    });

    it('is refused in a property name', async () => {
      const response = await server.api.post('/v1/auth/login', undefined, {
        rawBody: '{"email":"a@example.com","password":"x","\\u0000":1}',
        invalid: 'NUL in a property name',
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });

    it('refuses JSON nested deeper than any request needs', async () => {
      const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      const response = await server.api.post('/v1/posts', undefined, {
        token: user.accessToken,
        rawBody: `{"title":${deep}}`,
        invalid: 'JSON nested too deep',
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('nested objects', () => {
    it.each([[[]], ['text'], [5], [true]])(
      'refuses %p as a post detail, naming it, and writes nothing',
      async (value) => {
        const input = { ...newPostInput(), detail: value };
        expectFieldError(
          await server.api.post('/v1/posts', input, {
            token: user.accessToken,
            invalid: 'a detail that is not an object',
          }),
          'detail',
        );
        const listed = await server.api.get(`/v1/posts?city=${encodeURIComponent(String(input.city))}`);
        expect(listed.body.data).toEqual([]);
      },
    );

    it('refuses an array as a post detail on an update', async () => {
      const post = await createPost(server.api, user.accessToken);
      expectFieldError(
        await server.api.patch(
          `/v1/posts/${post.id}`,
          { detail: [] },
          { token: user.accessToken, invalid: 'a detail that is not an object' },
        ),
        'detail',
      );
    });

    it('refuses an array as the profile of a registration, and creates no account', async () => {
      const input = { ...newUserInput(), profile: [] };
      expectFieldError(
        await server.api.post('/v1/auth/register', input, { invalid: 'a profile that is not an object' }),
        'profile',
      );
      const login = await server.api.post('/v1/auth/login', { email: input.email, password: input.password });
      expect(login.status).toBe(401);
    });
  });

  describe('values the document does not allow', () => {
    it('refuses a null body on every change whose fields are all optional, and changes nothing', async () => {
      const post = await createPost(server.api, user.accessToken, { title: 'Kept' });
      for (const [method, path] of [
        ['PATCH', `/v1/posts/${post.id}`],
        ['PUT', '/v1/users/me/profile'],
        ['PATCH', '/v1/users/me/profile'],
        ['PATCH', '/v1/users/me'],
      ] as const) {
        const response = await server.api.request(method, path, {
          body: null,
          token: user.accessToken,
          invalid: 'a null body',
        });
        expectFieldError(response, 'body');
      }
      expect((await server.api.get(`/v1/posts/${post.id}`)).body.title).toBe('Kept');
      expect((await server.api.get(`/v1/users/${user.id}/profile`)).status).toBe(404);
    });

    it.each(['', ' ', '1e1', '0x10', '+5', '1.5', '2.0'])(
      'refuses %p for an integer query parameter instead of reading a number into it',
      async (value) => {
        for (const name of ['limit', 'minPrice', 'bedroom']) {
          const response = await server.api.get(`/v1/posts?${name}=${encodeURIComponent(value)}`, {
            invalid: 'not a decimal integer',
          });
          expectFieldError(response, name);
        }
      },
    );
  });

  describe('credentials on public operations', () => {
    const garbage = { authorization: 'Bearer not-a-token' };

    it('are ignored where no caller is needed: health, register, login, refresh', async () => {
      expect((await server.api.get('/health/live', { headers: garbage })).status).toBe(200);
      expect((await server.api.get('/health/ready', { headers: garbage })).status).toBe(200);
      const registered = await server.api.post('/v1/auth/register', newUserInput(), { headers: garbage });
      expect(registered.status).toBe(201);
      const login = await server.api.post(
        '/v1/auth/login',
        { email: user.email, password: user.password },
        { headers: { 'x-api-key': 'lk_garbage', ...garbage } },
      );
      expect(login.status).toBe(200);
      const expired = expiredToken(user);
      const refreshed = await server.api.post(
        '/v1/auth/refresh',
        { refreshToken: login.body.refreshToken },
        { token: expired },
      );
      expect(refreshed.status).toBe(200);
    });

    it('are checked where the caller is used, with an RFC 6750 challenge that tells expired from invalid', async () => {
      const post = await createPost(server.api, user.accessToken);
      for (const path of [
        `/v1/posts/${post.id}`,
        '/v1/posts',
        `/v1/users/${user.id}`,
        `/v1/users/${user.id}/profile`,
      ]) {
        const bad = await server.api.get(path, { headers: garbage });
        expect(bad.status).toBe(401);
        expect(bad.headers.get('www-authenticate')).toMatch(
          /^Bearer error="invalid_token", error_description="[^"]*invalid/,
        );
        const expired = await server.api.get(path, { token: expiredToken(user) });
        expect(expired.status).toBe(401);
        expect(expired.headers.get('www-authenticate')).toMatch(
          /^Bearer error="invalid_token", error_description="[^"]*expired/,
        );
        expect(expired.body.detail).toMatch(/expired/);
      }
      const none = await server.api.get('/v1/users/me');
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
    });

    /** A well-signed access token of `owner` that expired a minute ago. */
    function expiredToken(owner: RegisteredUser): string {
      const claims = jwt.decode(owner.accessToken) as Record<string, unknown>;
      const secret = server.app.get(AppConfig).get('JWT_SECRET', { infer: true })!;
      const now = Math.floor(Date.now() / 1000);
      return jwt.sign({ ...claims, iat: now - 120, exp: now - 60 }, secret, { algorithm: 'HS256' });
    }
  });

  it('keeps a raw body with NUL out of the database on every write route it reaches', async () => {
    const before = await server.api.get('/v1/users/me', { token: user.accessToken });
    const invalid = 'text with NUL';
    const patched = await server.api.patch(
      '/v1/users/me',
      { name: 'x\u0000y' },
      { token: user.accessToken, invalid },
    );
    expectFieldError(patched, 'name');
    const profile = await server.api.put(
      '/v1/users/me/profile',
      { bio: '\u0000' },
      { token: user.accessToken, invalid },
    );
    expectFieldError(profile, 'bio');
    const account = await server.api.post(
      '/v1/accounts',
      { name: 'a\u0000' },
      { token: user.accessToken, invalid },
    );
    expectFieldError(account, 'name');
    const after = await server.api.get('/v1/users/me', { token: user.accessToken });
    expect(after.body).toEqual(before.body);
  });
});
