import { newUserInput, registerUser } from '../factories/users';
import { useTestApp } from '../helpers/test-app';

describe('HTTP semantics', () => {
  const server = useTestApp();

  describe('405 Method Not Allowed', () => {
    it('answers a method the path does not have with 405 and the methods it has', async () => {
      const response = await server.api.request('PUT', '/v1/posts', {
        invalid: 'a method /v1/posts does not have',
      });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED', instance: '/v1/posts' });
    });

    it('matches paths with ids, and still answers 404 for a path no route has', async () => {
      const id = '0195f1a4-6c3e-7d0a-9c55-1b2f3c4d5e70';
      const withId = await server.api.request('POST', `/v1/posts/${id}`, { invalid: 'POST on a post' });
      expect(withId.status).toBe(405);
      expect(withId.headers.get('allow')).toBe('DELETE, GET, HEAD, PATCH');

      const unknown = await server.api.get('/v1/nothing-here', { invalid: 'a path no route has' });
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('allow')).toBeNull();
      expect(unknown.body.code).toBe('NOT_FOUND');
    });
  });

  describe('Location on 201', () => {
    it('says where a created post, account and chat live, and the URL answers', async () => {
      const user = await registerUser(server.api);
      const other = await registerUser(server.api);
      const post = await server.api.post(
        '/v1/posts',
        {
          title: 'Flat with a view',
          price: 900,
          images: [],
          address: '1 Main Street',
          city: 'Porto',
          bedroom: 1,
          bathroom: 1,
          latitude: 41.15,
          longitude: -8.61,
          type: 'RENT',
          property: 'APARTMENT',
        },
        { token: user.accessToken },
      );
      expect(post.status).toBe(201);
      expect(post.headers.get('location')).toBe(`/v1/posts/${post.body.id}`);
      expect((await server.api.get(post.headers.get('location')!)).body.id).toBe(post.body.id);

      const account = await server.api.post('/v1/accounts', { name: 'Agency' }, { token: user.accessToken });
      expect(account.headers.get('location')).toBe(`/v1/accounts/${account.body.id}`);

      const chat = await server.api.post(
        '/v1/chats',
        { participantIds: [other.id] },
        { token: user.accessToken },
      );
      expect(chat.status).toBe(201);
      expect(chat.headers.get('location')).toBe(`/v1/chats/${chat.body.id}`);
      // The same pair again: the existing chat, 200, and no Location (nothing was created).
      const again = await server.api.post(
        '/v1/chats',
        { participantIds: [other.id] },
        { token: user.accessToken },
      );
      expect(again.status).toBe(200);
      expect(again.headers.get('location')).toBeNull();
    });

    it('says where a registered user and a created profile live', async () => {
      const registered = await server.api.post('/v1/auth/register', newUserInput());
      expect(registered.status).toBe(201);
      expect(registered.headers.get('location')).toBe(`/v1/users/${registered.body.user.id}`);
      const profile = await server.api.put(
        '/v1/users/me/profile',
        { bio: 'Hello' },
        { token: registered.body.accessToken },
      );
      expect(profile.status).toBe(201);
      expect(profile.headers.get('location')).toBe(`/v1/users/${registered.body.user.id}/profile`);
      expect((await server.api.get(profile.headers.get('location')!)).body.bio).toBe('Hello');
    });
  });

  describe('validation messages', () => {
    it('says that an absent field is required, once per field', async () => {
      const response = await server.api.post(
        '/v1/auth/register',
        { username: 'someone' },
        { invalid: 'no email or password' },
      );
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { field: 'email', message: 'email is required' },
        { field: 'password', message: 'password is required' },
      ]);
    });

    it('gives one message for a field that breaks several rules', async () => {
      const response = await server.api.post(
        '/v1/auth/register',
        { ...newUserInput(), email: 42 },
        { invalid: 'a number for an email' },
      );
      expect(response.status).toBe(400);
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors[0].field).toBe('email');
    });
  });
});
