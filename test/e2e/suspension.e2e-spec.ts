import type { Socket } from 'socket.io-client';

import { AuthService } from '@/modules/auth/auth.service';

import { createAccountWithMembers, createApiKey } from '../factories/accounts';
import { createPost, newPostInput } from '../factories/posts';
import { type RegisteredUser, registerUser } from '../factories/users';
import { connectRealtime, disconnection, Inbox } from '../helpers/realtime-client';
import { useTestApp } from '../helpers/test-app';

describe('suspension (admin)', () => {
  const server = useTestApp();
  const sockets: Socket[] = [];
  let admin: RegisteredUser;
  let other: RegisteredUser;

  beforeAll(async () => {
    admin = await registerUser(server.api);
    await server.app.get(AuthService).promoteAdmin(admin.email);
    other = await registerUser(server.api);
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) {
      socket.close();
    }
  });

  const suspend = (id: string, token = admin.accessToken, reason = 'Fraudulent listings') =>
    server.api.post(`/v1/admin/users/${id}/suspend`, { reason }, { token });
  const unsuspend = (id: string, token = admin.accessToken) =>
    server.api.post(`/v1/admin/users/${id}/unsuspend`, undefined, { token });
  const login = (user: RegisteredUser, password = user.password) =>
    server.api.post('/v1/auth/login', { email: user.email, password }, { invalid: 'maybe refused' });
  const listed = async (path: string, id: string, token?: string): Promise<boolean> => {
    const response = await server.api.get(path, { token });
    expect(response.status).toBe(200);
    // A save names its post as `post`; every other list's items are posts.
    return (response.body.data as { id: string; post?: { id: string } }[]).some(
      (item) => (item.post?.id ?? item.id) === id,
    );
  };

  it('is for platform admins only: anonymous 401, a user 403, and nothing changes', async () => {
    const target = await registerUser(server.api);
    for (const path of [`/v1/admin/users/${target.id}/suspend`, `/v1/admin/users/${target.id}/unsuspend`]) {
      const anonymous = await server.api.post(path, { reason: 'x' }, { invalid: 'no token' });
      expect(anonymous.status).toBe(401);
      const user = await server.api.post(
        path,
        { reason: 'x' },
        { token: other.accessToken, invalid: 'not an admin' },
      );
      expect(user.status).toBe(403);
      expect(user.body.code).toBe('ROLE_REQUIRED');
    }
    expect((await server.api.get('/v1/users/me', { token: target.accessToken })).status).toBe(200);
  });

  it('revokes every session, refuses login with 403 ACCOUNT_SUSPENDED, and withholds the posts', async () => {
    const target = await registerUser(server.api);
    const second = await login(target);
    expect(second.status).toBe(200);
    const post = await createPost(server.api, target.accessToken, {
      city: 'Suspendville',
      title: 'Zqxj villa',
    });
    const saved = await server.api.post('/v1/saved-posts', { postId: post.id }, { token: other.accessToken });
    expect(saved.status).toBe(201);
    const inbox = new Inbox(await connectRealtime(await server.app.getUrl(), target.accessToken));
    sockets.push(inbox.socket);
    const gone = disconnection(inbox.socket);

    expect((await suspend(target.id)).status).toBe(204);

    // Every session, both tokens of each, and the socket.
    for (const tokens of [target, second.body as RegisteredUser]) {
      const me = await server.api.get('/v1/users/me', { token: tokens.accessToken, invalid: 'revoked' });
      expect(me.status).toBe(401);
      const refreshed = await server.api.post(
        '/v1/auth/refresh',
        { refreshToken: tokens.refreshToken },
        { invalid: 'a revoked session' },
      );
      expect(refreshed.status).toBe(401);
    }
    expect(await gone).toBe('io server disconnect');
    expect(inbox.of('session.ended')).toHaveLength(1);

    // Login: 403 with the right password only; a wrong one learns nothing about the suspension.
    const refused = await login(target);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ACCOUNT_SUSPENDED');
    const wrong = await login(target, 'not-the-password-123');
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');

    // The posts: 404 to others, out of every list and search; admins still read them.
    expect((await server.api.get(`/v1/posts/${post.id}`, { invalid: 'withheld' })).status).toBe(404);
    const asOther = await server.api.get(`/v1/posts/${post.id}`, {
      token: other.accessToken,
      invalid: 'withheld',
    });
    expect(asOther.status).toBe(404);
    expect((await server.api.get(`/v1/posts/${post.id}`, { token: admin.accessToken })).status).toBe(200);
    expect(await listed('/v1/posts?limit=100', post.id)).toBe(false);
    expect(await listed('/v1/posts?city=Suspendville', post.id)).toBe(false);
    expect(await listed('/v1/posts?q=Zqxj', post.id)).toBe(false);
    expect(await listed('/v1/posts?city=Suspendville&sort=price_asc', post.id)).toBe(false);
    expect(await listed(`/v1/users/${target.id}/posts`, post.id)).toBe(false);
    expect(await listed('/v1/saved-posts', post.id, other.accessToken)).toBe(false);
    const save = await server.api.post(
      '/v1/saved-posts',
      { postId: post.id },
      { token: other.accessToken, invalid: 'a withheld post' },
    );
    expect(save.status).toBe(404);

    // Admins see the suspension in the user list.
    const users = await server.api.get(`/v1/users?q=${encodeURIComponent(target.email)}`, {
      token: admin.accessToken,
    });
    expect(users.body.data).toEqual([
      expect.objectContaining({ id: target.id, suspendedAt: expect.any(String) }),
    ]);

    // Lifted: login works again and the posts are back where they were.
    expect((await unsuspend(target.id)).status).toBe(204);
    expect((await login(target)).status).toBe(200);
    expect((await server.api.get(`/v1/posts/${post.id}`)).status).toBe(200);
    expect(await listed('/v1/posts?city=Suspendville', post.id)).toBe(true);
    expect(await listed('/v1/posts?q=Zqxj', post.id)).toBe(true);
    expect(await listed('/v1/saved-posts', post.id, other.accessToken)).toBe(true);
    const after = await server.api.get(`/v1/users?q=${encodeURIComponent(target.email)}`, {
      token: admin.accessToken,
    });
    expect(after.body.data[0].suspendedAt).toBeNull();
  });

  it("withholds what an account's API key publishes for a suspended member, as the rest of their posts", async () => {
    const account = await createAccountWithMembers(server.api);
    // The key names its creator, the OWNER, as the author of what it publishes.
    const key = await createApiKey(server.api, account.id, account.owner.accessToken, ['posts:write']);
    const creatorId = account.owner.id;
    expect((await suspend(creatorId)).status).toBe(204);
    const published = await server.api.request('POST', '/v1/posts', {
      body: newPostInput({ city: 'Keyville' }),
      headers: { 'x-api-key': key },
    });
    expect(published.status).toBe(201);
    const read = await server.api.get(`/v1/posts/${published.body.id}`, { invalid: 'withheld' });
    expect(read.status).toBe(404);
    expect(await listed('/v1/posts?city=Keyville', published.body.id)).toBe(false);
    expect((await unsuspend(creatorId)).status).toBe(204);
    expect((await server.api.get(`/v1/posts/${published.body.id}`)).status).toBe(200);
  });

  it('records who suspended whom, why, and the lifting, in the audit log', async () => {
    const target = await registerUser(server.api);
    expect((await suspend(target.id, admin.accessToken, 'Spam, again')).status).toBe(204);
    expect((await unsuspend(target.id)).status).toBe(204);
    const events = await server.api.get(`/v1/admin/audit-events?targetId=${target.id}`, {
      token: admin.accessToken,
    });
    expect(events.status).toBe(200);
    const actions = (events.body.data as { action: string }[]).map((event) => event.action);
    expect(actions).toEqual(['user.unsuspended', 'user.suspended']);
    expect(events.body.data[1]).toMatchObject({
      actorType: 'user',
      actorId: admin.id,
      targetType: 'user',
      targetId: target.id,
      metadata: { reason: 'Spam, again', revokedSessions: 1 },
    });
  });

  it('changes nothing for a user already suspended, or not suspended, and records nothing then', async () => {
    const target = await registerUser(server.api);
    expect((await unsuspend(target.id)).status).toBe(204);
    expect((await suspend(target.id)).status).toBe(204);
    expect((await suspend(target.id, admin.accessToken, 'a second reason')).status).toBe(204);
    const events = await server.api.get(`/v1/admin/audit-events?targetId=${target.id}`, {
      token: admin.accessToken,
    });
    expect((events.body.data as { action: string }[]).map((event) => event.action)).toEqual([
      'user.suspended',
    ]);
    expect(events.body.data[0].metadata.reason).toBe('Fraudulent listings');
  });

  it('refuses an unknown user (404), the admin themself (409) and a bad reason (400), changing nothing', async () => {
    const unknown = await server.api.post(
      '/v1/admin/users/01900000-0000-7000-8000-000000000000/suspend',
      { reason: 'x' },
      { token: admin.accessToken, invalid: 'no such user' },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('USER_NOT_FOUND');
    const self = await server.api.post(
      `/v1/admin/users/${admin.id}/suspend`,
      { reason: 'x' },
      { token: admin.accessToken, invalid: 'the admin themself' },
    );
    expect(self.status).toBe(409);
    expect(self.body.code).toBe('CANNOT_SUSPEND_SELF');
    const target = await registerUser(server.api);
    for (const [body, why] of [
      [{}, 'no reason'],
      [{ reason: '' }, 'an empty reason'],
      [{ reason: 'x'.repeat(501) }, 'a reason too long'],
      [{ reason: 42 }, 'a reason that is not text'],
    ] as const) {
      const response = await server.api.post(`/v1/admin/users/${target.id}/suspend`, body, {
        token: admin.accessToken,
        invalid: why,
      });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('reason');
    }
    expect((await server.api.get('/v1/users/me', { token: target.accessToken })).status).toBe(200);
  });
});
