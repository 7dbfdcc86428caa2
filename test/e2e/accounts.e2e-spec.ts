import { AccountWithMembers, createAccountWithMembers, createApiKey } from '../factories/accounts';
import { createPost, newPostInput } from '../factories/posts';
import { RegisteredUser, registerUser } from '../factories/users';
import { useTestApp } from '../helpers/test-app';

describe('accounts', () => {
  const server = useTestApp();
  let outsider: RegisteredUser;

  beforeAll(async () => {
    outsider = await registerUser(server.api);
  });

  describe('accounts', () => {
    it('makes the creator OWNER and lists my accounts with my role', async () => {
      const user = await registerUser(server.api);
      const created = await server.api.post(
        '/v1/accounts',
        { name: 'Alpha Realty' },
        { token: user.accessToken },
      );
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Alpha Realty', role: 'OWNER' });
      const mine = await server.api.get('/v1/accounts', { token: user.accessToken });
      expect(mine.body.data).toEqual([created.body]);
      expect((await server.api.get('/v1/accounts', { token: outsider.accessToken })).body.data).toEqual([]);
    });

    it('shows an account to members only; others get 404', async () => {
      const account = await createAccountWithMembers(server.api);
      const asMember = await server.api.get(`/v1/accounts/${account.id}`, {
        token: account.member.accessToken,
      });
      expect(asMember.status).toBe(200);
      expect(asMember.body.role).toBe('MEMBER');
      const asOutsider = await server.api.get(`/v1/accounts/${account.id}`, { token: outsider.accessToken });
      expect(asOutsider.status).toBe(404);
      expect(asOutsider.body.code).toBe('ACCOUNT_NOT_FOUND');
      expect((await server.api.get(`/v1/accounts/${account.id}`)).status).toBe(401);
    });

    it('lets only OWNERs rename and delete', async () => {
      const account = await createAccountWithMembers(server.api);
      for (const user of [account.admin, account.member]) {
        expect(
          (await server.api.patch(`/v1/accounts/${account.id}`, { name: 'X' }, { token: user.accessToken }))
            .status,
        ).toBe(403);
        expect(
          (await server.api.delete(`/v1/accounts/${account.id}`, { token: user.accessToken })).status,
        ).toBe(403);
      }
      expect(
        (await server.api.patch(`/v1/accounts/${account.id}`, { name: 'X' }, { token: outsider.accessToken }))
          .status,
      ).toBe(404);
      expect(
        (await server.api.delete(`/v1/accounts/${account.id}`, { token: outsider.accessToken })).status,
      ).toBe(404);
      const renamed = await server.api.patch(
        `/v1/accounts/${account.id}`,
        { name: 'Renamed' },
        { token: account.owner.accessToken },
      );
      expect(renamed.body.name).toBe('Renamed');
      expect(
        (await server.api.delete(`/v1/accounts/${account.id}`, { token: account.owner.accessToken })).status,
      ).toBe(204);
      expect(
        (await server.api.get(`/v1/accounts/${account.id}`, { token: account.owner.accessToken })).status,
      ).toBe(404);
    });

    it('validates names', async () => {
      const response = await server.api.post(
        '/v1/accounts',
        { name: '' },
        { token: outsider.accessToken, invalid: 'an empty name' },
      );
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('name');
    });
  });

  describe('members', () => {
    let account: AccountWithMembers;

    beforeEach(async () => {
      account = await createAccountWithMembers(server.api);
    });

    const add = (token: string, userId: string, role: string, invalid?: string) =>
      server.api.post(`/v1/accounts/${account.id}/members`, { userId, role }, { token, invalid });
    const change = (token: string, userId: string, role: string) =>
      server.api.patch(`/v1/accounts/${account.id}/members/${userId}`, { role }, { token });
    const remove = (token: string, userId: string) =>
      server.api.delete(`/v1/accounts/${account.id}/members/${userId}`, { token });

    it('lists members to members only', async () => {
      const list = await server.api.get(`/v1/accounts/${account.id}/members`, {
        token: account.member.accessToken,
      });
      expect(list.status).toBe(200);
      expect(list.body.data.map((m: { role: string }) => m.role).sort()).toEqual([
        'ADMIN',
        'MEMBER',
        'OWNER',
      ]);
      expect(list.body.data[0].user.email).toBeUndefined();
      expect(
        (await server.api.get(`/v1/accounts/${account.id}/members`, { token: outsider.accessToken })).status,
      ).toBe(404);
    });

    it.each([
      ['OWNER', 'MEMBER', 201],
      ['OWNER', 'ADMIN', 201],
      ['OWNER', 'OWNER', 201],
      ['ADMIN', 'MEMBER', 201],
      ['ADMIN', 'ADMIN', 403],
      ['ADMIN', 'OWNER', 403],
      ['MEMBER', 'MEMBER', 403],
    ])('lets an %s add a %s: %i', async (actorRole, role, status) => {
      const newcomer = await registerUser(server.api);
      const actor = { OWNER: account.owner, ADMIN: account.admin, MEMBER: account.member }[actorRole]!;
      const response = await add(actor.accessToken, newcomer.id, role);
      expect(response.status).toBe(status);
      if (status === 201) {
        expect(response.body).toMatchObject({ user: { id: newcomer.id }, role });
      }
    });

    it('refuses outsiders (404), duplicates (409) and unknown users (404)', async () => {
      const newcomer = await registerUser(server.api);
      expect((await add(outsider.accessToken, newcomer.id, 'MEMBER')).status).toBe(404);
      const duplicate = await add(account.owner.accessToken, account.member.id, 'MEMBER');
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.code).toBe('ALREADY_MEMBER');
      const unknown = await add(account.owner.accessToken, '01a211c9-1ada-701a-b52d-5e455dc3d299', 'MEMBER');
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('USER_NOT_FOUND');
      const bad = await add(account.owner.accessToken, newcomer.id, 'BOSS', 'an unknown role');
      expect(bad.status).toBe(400);
    });

    it('lets ADMINs manage MEMBERs only, and OWNERs everyone', async () => {
      expect((await change(account.admin.accessToken, account.member.id, 'ADMIN')).status).toBe(403);
      expect((await change(account.admin.accessToken, account.owner.id, 'MEMBER')).status).toBe(403);
      expect((await remove(account.admin.accessToken, account.owner.id)).status).toBe(403);
      expect((await change(account.member.accessToken, account.admin.id, 'MEMBER')).status).toBe(403);
      const promoted = await change(account.owner.accessToken, account.member.id, 'ADMIN');
      expect(promoted.status).toBe(200);
      expect(promoted.body.role).toBe('ADMIN');
      expect((await remove(account.owner.accessToken, account.admin.id)).status).toBe(204);
      expect((await change(outsider.accessToken, account.member.id, 'MEMBER')).status).toBe(404);
    });

    it('revokes the API keys a removed member created, and only theirs', async () => {
      const createKey = async (token: string) =>
        (
          await server.api.post(
            `/v1/accounts/${account.id}/api-keys`,
            { name: 'k', scopes: ['posts:read'] },
            { token },
          )
        ).body.secret as string;
      const adminKey = await createKey(account.admin.accessToken);
      const ownerKey = await createKey(account.owner.accessToken);
      const read = (key: string) => server.api.get('/v1/posts?limit=1', { headers: { 'x-api-key': key } });
      expect((await read(adminKey)).status).toBe(200);

      expect((await remove(account.owner.accessToken, account.admin.id)).status).toBe(204);
      const refused = await read(adminKey);
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('INVALID_API_KEY');
      expect((await read(ownerKey)).status).toBe(200);
    });

    it('lets ADMINs remove MEMBERs and any member leave', async () => {
      const extra = await registerUser(server.api);
      await add(account.owner.accessToken, extra.id, 'MEMBER');
      expect((await remove(account.admin.accessToken, extra.id)).status).toBe(204);
      expect((await remove(account.member.accessToken, account.member.id)).status).toBe(204);
      expect(
        (await server.api.get(`/v1/accounts/${account.id}`, { token: account.member.accessToken })).status,
      ).toBe(404);
      expect((await remove(account.member.accessToken, account.admin.id)).status).toBe(404);
    });

    it('keeps the last OWNER: no leaving, no demotion (409 LAST_OWNER)', async () => {
      const leave = await remove(account.owner.accessToken, account.owner.id);
      expect(leave.status).toBe(409);
      expect(leave.body.code).toBe('LAST_OWNER');
      const demote = await change(account.owner.accessToken, account.owner.id, 'ADMIN');
      expect(demote.status).toBe(409);
      await change(account.owner.accessToken, account.admin.id, 'OWNER');
      expect((await remove(account.owner.accessToken, account.owner.id)).status).toBe(204);
    });

    it('keeps an owner when two owners leave at once', async () => {
      await change(account.owner.accessToken, account.admin.id, 'OWNER');
      const results = await Promise.all([
        remove(account.owner.accessToken, account.owner.id),
        remove(account.admin.accessToken, account.admin.id),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
    });

    it('answers 404 for a member that is not one', async () => {
      expect((await change(account.owner.accessToken, outsider.id, 'MEMBER')).status).toBe(404);
      expect((await remove(account.owner.accessToken, outsider.id)).status).toBe(404);
    });
  });

  describe('account posts', () => {
    it('lets members publish for the account, managers edit its posts, and refuses others', async () => {
      const account = await createAccountWithMembers(server.api);
      const post = await createPost(server.api, account.member.accessToken, { accountId: account.id });
      expect(post.accountId).toBe(account.id);
      const byAdmin = await server.api.patch(
        `/v1/posts/${post.id}`,
        { price: 42 },
        { token: account.admin.accessToken },
      );
      expect(byAdmin.status).toBe(200);
      const otherMember = await registerUser(server.api);
      await server.api.post(
        `/v1/accounts/${account.id}/members`,
        { userId: otherMember.id, role: 'MEMBER' },
        { token: account.owner.accessToken },
      );
      expect(
        (await server.api.patch(`/v1/posts/${post.id}`, { price: 1 }, { token: otherMember.accessToken }))
          .status,
      ).toBe(403);
      expect((await server.api.delete(`/v1/posts/${post.id}`, { token: outsider.accessToken })).status).toBe(
        403,
      );
      expect(
        (await server.api.delete(`/v1/posts/${post.id}`, { token: account.owner.accessToken })).status,
      ).toBe(204);
    });

    it('refuses publishing for an account one is not a member of', async () => {
      const account = await createAccountWithMembers(server.api);
      const response = await server.api.post('/v1/posts', newPostInput({ accountId: account.id }), {
        token: outsider.accessToken,
      });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('ACCOUNT_NOT_FOUND');
    });
  });

  describe('API keys', () => {
    let account: AccountWithMembers;

    beforeAll(async () => {
      account = await createAccountWithMembers(server.api);
    });

    it('shows the secret once; lists keys without secrets', async () => {
      const created = await server.api.post(
        `/v1/accounts/${account.id}/api-keys`,
        { name: 'CRM', scopes: ['posts:read', 'posts:write'] },
        { token: account.admin.accessToken },
      );
      expect(created.status).toBe(201);
      expect(created.headers.get('cache-control')).toBe('no-store');
      expect(created.body.secret).toMatch(/^lk_[0-9a-f]{12}_[\w-]{43}$/);
      expect(created.body.secret.startsWith(created.body.prefix)).toBe(true);
      const list = await server.api.get(`/v1/accounts/${account.id}/api-keys`, {
        token: account.owner.accessToken,
      });
      const listed = list.body.data.find((key: { id: string }) => key.id === created.body.id);
      expect(listed).toMatchObject({
        name: 'CRM',
        prefix: created.body.prefix,
        scopes: ['posts:read', 'posts:write'],
      });
      expect(list.text).not.toContain(created.body.secret);
      expect(list.text).not.toContain('secretHash');
    });

    it('lets only OWNERs and ADMINs manage keys', async () => {
      const asMember = await server.api.post(
        `/v1/accounts/${account.id}/api-keys`,
        { name: 'x', scopes: ['posts:read'] },
        { token: account.member.accessToken },
      );
      expect(asMember.status).toBe(403);
      expect(
        (await server.api.get(`/v1/accounts/${account.id}/api-keys`, { token: account.member.accessToken }))
          .status,
      ).toBe(403);
      expect(
        (await server.api.get(`/v1/accounts/${account.id}/api-keys`, { token: outsider.accessToken })).status,
      ).toBe(404);
      const badScope = await server.api.post(
        `/v1/accounts/${account.id}/api-keys`,
        { name: 'x', scopes: ['admin'] },
        { token: account.owner.accessToken, invalid: 'an unknown scope' },
      );
      expect(badScope.status).toBe(400);
    });

    it('publishes for the account, naming the key creator as author', async () => {
      const secret = await createApiKey(server.api, account.id, account.admin.accessToken, [
        'posts:write',
        'posts:read',
      ]);
      const response = await server.api.post('/v1/posts', newPostInput(), {
        headers: { 'x-api-key': secret },
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ accountId: account.id, author: { id: account.admin.id } });
      const edited = await server.api.patch(
        `/v1/posts/${response.body.id}`,
        { price: 7 },
        { headers: { 'x-api-key': secret } },
      );
      expect(edited.status).toBe(200);
      const read = await server.api.get(`/v1/posts/${response.body.id}`, {
        headers: { 'x-api-key': secret },
      });
      expect(read.status).toBe(200);
      expect(read.body.saved).toBeUndefined();
      const foreign = await createPost(server.api, outsider.accessToken);
      expect(
        (await server.api.delete(`/v1/posts/${foreign.id}`, { headers: { 'x-api-key': secret } })).status,
      ).toBe(403);
    });

    it('refuses a key without the scope (403) and a key on people-only routes', async () => {
      const readOnly = await createApiKey(server.api, account.id, account.owner.accessToken, ['posts:read']);
      const write = await server.api.post('/v1/posts', newPostInput(), {
        headers: { 'x-api-key': readOnly },
      });
      expect(write.status).toBe(403);
      expect(write.body.code).toBe('INSUFFICIENT_SCOPE');
      expect((await server.api.get('/v1/posts?limit=1', { headers: { 'x-api-key': readOnly } })).status).toBe(
        200,
      );
      const writeOnly = await createApiKey(server.api, account.id, account.owner.accessToken, [
        'posts:write',
      ]);
      expect(
        (await server.api.get('/v1/posts?limit=1', { headers: { 'x-api-key': writeOnly } })).status,
      ).toBe(403);
      const peopleOnly = await server.api.get('/v1/users/me', { headers: { 'x-api-key': readOnly } });
      expect(peopleOnly.status).toBe(403);
      expect(peopleOnly.body.code).toBe('API_KEY_NOT_ACCEPTED');
    });

    it('refuses unknown keys and revoked keys at once', async () => {
      const unknown = await server.api.get('/v1/posts?limit=1', {
        headers: { 'x-api-key': 'lk_000000000000_nope' },
      });
      expect(unknown.status).toBe(401);
      expect(unknown.body.code).toBe('INVALID_API_KEY');
      const created = await server.api.post(
        `/v1/accounts/${account.id}/api-keys`,
        { name: 'temp', scopes: ['posts:read'] },
        { token: account.owner.accessToken },
      );
      const secret = created.body.secret;
      expect((await server.api.get('/v1/posts?limit=1', { headers: { 'x-api-key': secret } })).status).toBe(
        200,
      );
      const revoked = await server.api.delete(`/v1/accounts/${account.id}/api-keys/${created.body.id}`, {
        token: account.admin.accessToken,
      });
      expect(revoked.status).toBe(204);
      expect((await server.api.get('/v1/posts?limit=1', { headers: { 'x-api-key': secret } })).status).toBe(
        401,
      );
      expect(
        (
          await server.api.delete(`/v1/accounts/${account.id}/api-keys/${created.body.id}`, {
            token: account.admin.accessToken,
          })
        ).status,
      ).toBe(404);
    });

    it('never accepts a key in the query string', async () => {
      const secret = await createApiKey(server.api, account.id, account.owner.accessToken, ['posts:read']);
      for (const name of ['api_key', 'apiKey', 'x-api-key', 'key']) {
        const response = await server.api.get(`/v1/posts?${name}=${secret}`, {
          invalid: 'an API key in the query string',
        });
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('API_KEY_IN_QUERY');
      }
    });

    it('notes when a key was last used', async () => {
      const created = await server.api.post(
        `/v1/accounts/${account.id}/api-keys`,
        { name: 'used', scopes: ['posts:read'] },
        { token: account.owner.accessToken },
      );
      expect(created.body.lastUsedAt).toBeNull();
      await server.api.get('/v1/posts?limit=1', { headers: { 'x-api-key': created.body.secret } });
      let lastUsedAt = null;
      for (let attempt = 0; attempt < 20 && !lastUsedAt; attempt += 1) {
        const list = await server.api.get(`/v1/accounts/${account.id}/api-keys`, {
          token: account.owner.accessToken,
        });
        lastUsedAt = list.body.data.find((key: { id: string }) => key.id === created.body.id).lastUsedAt;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(lastUsedAt).not.toBeNull();
    });
  });
});

describe('API key rate limits', () => {
  // Setting up takes 8 requests from this address; each key then has its own 10.
  const server = useTestApp({ THROTTLE_LIMIT: '10', THROTTLE_TTL_MS: '60000' });

  it('counts requests per key, not per address', async () => {
    const account = await createAccountWithMembers(server.api);
    const first = await createApiKey(server.api, account.id, account.owner.accessToken, ['posts:read']);
    const second = await createApiKey(server.api, account.id, account.owner.accessToken, ['posts:read']);
    const statuses = [];
    for (let i = 0; i < 11; i += 1) {
      statuses.push((await server.api.get('/v1/posts?limit=1', { headers: { 'x-api-key': first } })).status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect((await server.api.get('/v1/posts?limit=1', { headers: { 'x-api-key': second } })).status).toBe(
      200,
    );
  });
});
