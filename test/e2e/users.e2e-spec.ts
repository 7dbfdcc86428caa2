import { AuthService } from '@/modules/auth/auth.service';

import { RegisteredUser, registerUser } from '../factories/users';
import { useTestApp } from '../helpers/test-app';

describe('users', () => {
  const server = useTestApp();
  let admin: RegisteredUser;

  beforeAll(async () => {
    admin = await registerUser(server.api);
    await server.app.get(AuthService).promoteAdmin(admin.email);
  });

  describe('me', () => {
    it('shows my account with email, role and profile', async () => {
      const user = await registerUser(server.api, { profile: { location: 'Porto' } });
      const response = await server.api.get('/v1/users/me', { token: user.accessToken });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: user.id,
        email: user.email,
        role: 'USER',
        profile: { location: 'Porto', bio: null },
      });
      expect(response.text).not.toMatch(/passwordHash|refreshTokenHash|password_hash/);
    });

    it('changes my username, name and avatar', async () => {
      const user = await registerUser(server.api);
      const response = await server.api.patch(
        '/v1/users/me',
        { username: 'New_Name', name: null, avatar: 'https://cdn.example.com/me.png' },
        { token: user.accessToken, invalid: 'a username in capitals, which the server lower-cases' },
      );
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        username: 'new_name',
        name: null,
        avatar: 'https://cdn.example.com/me.png',
      });
    });

    it('refuses a taken username and fields a client may not set', async () => {
      const user = await registerUser(server.api);
      const other = await registerUser(server.api);
      const taken = await server.api.patch(
        '/v1/users/me',
        { username: other.username },
        { token: user.accessToken },
      );
      expect(taken.status).toBe(409);
      expect(taken.body.code).toBe('USERNAME_TAKEN');
      for (const field of ['role', 'email', 'id', 'createdAt']) {
        const response = await server.api.patch(
          '/v1/users/me',
          { [field]: 'x' },
          { token: user.accessToken, invalid: `the client-set field ${field}` },
        );
        expect(response.status).toBe(400);
        expect(response.body.errors).toContainEqual({ field, message: `${field} is not allowed` });
      }
      const insecure = await server.api.patch(
        '/v1/users/me',
        { avatar: 'http://x.example.com/a.png' },
        { token: user.accessToken, invalid: 'an avatar URL that is not https' },
      );
      expect(insecure.status).toBe(400);
      expect(insecure.body.errors[0].field).toBe('avatar');
    });

    it('deletes my account and everything it owns', async () => {
      const user = await registerUser(server.api, { profile: { bio: 'bye' } });
      expect((await server.api.delete('/v1/users/me', { token: user.accessToken })).status).toBe(204);
      expect((await server.api.get(`/v1/users/${user.id}`)).status).toBe(404);
      expect((await server.api.get(`/v1/users/${user.id}/profile`)).status).toBe(404);
      expect((await server.api.get('/v1/users/me', { token: user.accessToken })).status).toBe(401);
      expect(
        (await server.api.post('/v1/auth/login', { email: user.email, password: user.password })).status,
      ).toBe(401);
    });

    it('needs a token', async () => {
      expect((await server.api.get('/v1/users/me')).status).toBe(401);
      expect((await server.api.patch('/v1/users/me', { name: 'x' })).status).toBe(401);
      expect((await server.api.delete('/v1/users/me')).status).toBe(401);
    });
  });

  describe('public view', () => {
    it('shows a user without email to anyone', async () => {
      const user = await registerUser(server.api);
      const anonymous = await server.api.get(`/v1/users/${user.id}`);
      expect(anonymous.status).toBe(200);
      expect(anonymous.body).toEqual({
        id: user.id,
        username: user.username,
        name: expect.any(String),
        avatar: null,
        createdAt: expect.any(String),
      });
      const other = await registerUser(server.api);
      const signedIn = await server.api.get(`/v1/users/${user.id}`, { token: other.accessToken });
      expect(signedIn.body.email).toBeUndefined();
    });

    it('answers 404 for an unknown user and 400 for a malformed id', async () => {
      expect((await server.api.get('/v1/users/01a211c9-1ada-701a-b52d-5e455dc3d299')).status).toBe(404);
      const malformed = await server.api.get('/v1/users/12345', { invalid: 'a malformed id' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
    });
  });

  describe('admin', () => {
    it('lists and searches users for admins, page by page', async () => {
      const tag = `srch${Date.now()}`;
      const created = [];
      for (let i = 0; i < 3; i += 1) {
        created.push(await registerUser(server.api, { name: `Person ${tag} ${i}` }));
      }
      const first = await server.api.get(`/v1/users?q=${tag}&limit=2`, { token: admin.accessToken });
      expect(first.status).toBe(200);
      expect(first.body.data).toHaveLength(2);
      expect(first.body.data[0]).toMatchObject({ id: created[2].id, email: created[2].email, role: 'USER' });
      const second = await server.api.get(`/v1/users?q=${tag}&limit=2&cursor=${first.body.nextCursor}`, {
        token: admin.accessToken,
      });
      expect(second.body.data.map((u: { id: string }) => u.id)).toEqual([created[0].id]);
      expect(second.body.nextCursor).toBeNull();
      const byEmail = await server.api.get(`/v1/users?q=${created[1].email.toUpperCase()}`, {
        token: admin.accessToken,
      });
      expect(byEmail.body.data.map((u: { id: string }) => u.id)).toEqual([created[1].id]);
    });

    it('validates paging parameters', async () => {
      const tooMany = await server.api.get('/v1/users?limit=101', {
        token: admin.accessToken,
        invalid: 'a page size over the maximum',
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.errors[0].field).toBe('limit');
      const badCursor = await server.api.get('/v1/users?cursor=abc', {
        token: admin.accessToken,
        invalid: 'a forged cursor',
      });
      expect(badCursor.body.code).toBe('INVALID_CURSOR');
      const unknown = await server.api.get('/v1/users?sort=name', {
        token: admin.accessToken,
        invalid: 'an unknown query parameter',
      });
      expect(unknown.status).toBe(400);
    });

    it('refuses admin routes to other users (403) and to anonymous callers (401)', async () => {
      const user = await registerUser(server.api);
      const list = await server.api.get('/v1/users', { token: user.accessToken });
      expect(list.status).toBe(403);
      const role = await server.api.patch(
        `/v1/users/${user.id}/role`,
        { role: 'ADMIN' },
        { token: user.accessToken },
      );
      expect(role.status).toBe(403);
      expect((await server.api.get('/v1/users')).status).toBe(401);
    });

    it('changes a role, and a demoted admin loses access at once', async () => {
      const other = await registerUser(server.api);
      const promoted = await server.api.patch(
        `/v1/users/${other.id}/role`,
        { role: 'ADMIN' },
        { token: admin.accessToken },
      );
      expect(promoted.status).toBe(200);
      expect(promoted.body.role).toBe('ADMIN');
      expect((await server.api.get('/v1/users', { token: other.accessToken })).status).toBe(200);

      const demoted = await server.api.patch(
        `/v1/users/${other.id}/role`,
        { role: 'USER' },
        { token: admin.accessToken },
      );
      expect(demoted.body.role).toBe('USER');
      expect((await server.api.get('/v1/users', { token: other.accessToken })).status).toBe(403);
    });

    it('validates the role and the user', async () => {
      const bad = await server.api.patch(
        `/v1/users/${admin.id}/role`,
        { role: 'ROOT' },
        { token: admin.accessToken, invalid: 'an unknown role' },
      );
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('role');
      const missing = await server.api.patch(
        '/v1/users/01a211c9-1ada-701a-b52d-5e455dc3d299/role',
        { role: 'USER' },
        {
          token: admin.accessToken,
        },
      );
      expect(missing.status).toBe(404);
    });
  });
});
