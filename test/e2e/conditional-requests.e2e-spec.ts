import { createAccountWithMembers } from '../factories/accounts';
import { createPost } from '../factories/posts';
import { registerUser } from '../factories/users';
import type { ApiResponse } from '../helpers/api-client';
import { useTestApp } from '../helpers/test-app';

/** The strong entity tag of a response, asserting it has one. */
function etagOf(response: ApiResponse): string {
  const tag = response.headers.get('etag');
  expect(tag).toMatch(/^"[A-Za-z0-9_-]+"$/);
  return tag!;
}

describe('conditional requests', () => {
  const server = useTestApp();

  describe('reads answer an ETag and 304 while it is current', () => {
    it('a post: 304 for its tag in any list form, 200 with a new tag after a detail edit', async () => {
      const author = await registerUser(server.api);
      const post = await createPost(server.api, author.accessToken, { detail: { desc: 'First' } });
      const first = await server.api.get(`/v1/posts/${post.id}`);
      expect(first.status).toBe(200);
      const tag = etagOf(first);
      expect(first.headers.get('vary')).toMatch(/Authorization/);
      expect(first.headers.get('cache-control')).toBe('private, no-cache');

      for (const field of [tag, `W/${tag}`, `"other", ${tag}`, '*']) {
        const again = await server.api.get(`/v1/posts/${post.id}`, { headers: { 'if-none-match': field } });
        expect(again.status).toBe(304);
        expect(again.text).toBe('');
        expect(again.headers.get('etag')).toBe(tag);
        expect(again.headers.get('vary')).toMatch(/Authorization/);
      }
      const other = await server.api.get(`/v1/posts/${post.id}`, { headers: { 'if-none-match': '"other"' } });
      expect(other.status).toBe(200);

      await server.api.patch(
        `/v1/posts/${post.id}`,
        { detail: { desc: 'Second' } },
        { token: author.accessToken },
      );
      const edited = await server.api.get(`/v1/posts/${post.id}`, { headers: { 'if-none-match': tag } });
      expect(edited.status).toBe(200);
      expect(edited.body.detail.desc).toBe('Second');
      expect(etagOf(edited)).not.toBe(tag);
    });

    it("a post's tag follows its author's rename and the caller's saved flag", async () => {
      const author = await registerUser(server.api);
      const reader = await registerUser(server.api);
      const post = await createPost(server.api, author.accessToken);
      const anonymous = etagOf(await server.api.get(`/v1/posts/${post.id}`));
      const unsaved = etagOf(await server.api.get(`/v1/posts/${post.id}`, { token: reader.accessToken }));
      expect(unsaved).not.toBe(anonymous);

      await server.api.post('/v1/saved-posts', { postId: post.id }, { token: reader.accessToken });
      const saved = await server.api.get(`/v1/posts/${post.id}`, {
        token: reader.accessToken,
        headers: { 'if-none-match': unsaved },
      });
      expect(saved.status).toBe(200);
      expect(saved.body.saved).toBe(true);

      await server.api.patch('/v1/users/me', { name: 'Renamed Author' }, { token: author.accessToken });
      const renamed = await server.api.get(`/v1/posts/${post.id}`, {
        headers: { 'if-none-match': anonymous },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.author.name).toBe('Renamed Author');
    });

    it('a user and a profile: no Vary (public), a new tag after a change', async () => {
      const user = await registerUser(server.api, { profile: { bio: 'Hello' } });
      const shownUser = await server.api.get(`/v1/users/${user.id}`);
      const userTag = etagOf(shownUser);
      expect(shownUser.headers.get('vary')).toBeNull();
      expect(shownUser.headers.get('cache-control')).toBe('no-cache');
      const profileTag = etagOf(await server.api.get(`/v1/users/${user.id}/profile`));
      for (const [path, tag] of [
        [`/v1/users/${user.id}`, userTag],
        [`/v1/users/${user.id}/profile`, profileTag],
      ]) {
        expect((await server.api.get(path, { headers: { 'if-none-match': tag } })).status).toBe(304);
      }

      await server.api.patch(
        '/v1/users/me',
        { avatar: 'https://cdn.example.com/a.png' },
        { token: user.accessToken },
      );
      await server.api.patch('/v1/users/me/profile', { bio: 'Changed' }, { token: user.accessToken });
      const user2 = await server.api.get(`/v1/users/${user.id}`, { headers: { 'if-none-match': userTag } });
      const profile2 = await server.api.get(`/v1/users/${user.id}/profile`, {
        headers: { 'if-none-match': profileTag },
      });
      expect([user2.status, profile2.status]).toEqual([200, 200]);
    });

    it("an account: the tag depends on the caller's role (Vary: Authorization)", async () => {
      const account = await createAccountWithMembers(server.api);
      const asOwner = await server.api.get(`/v1/accounts/${account.id}`, {
        token: account.owner.accessToken,
      });
      const asMember = await server.api.get(`/v1/accounts/${account.id}`, {
        token: account.member.accessToken,
      });
      expect(asOwner.headers.get('vary')).toMatch(/Authorization/);
      expect(etagOf(asOwner)).not.toBe(etagOf(asMember));
      const again = await server.api.get(`/v1/accounts/${account.id}`, {
        token: account.owner.accessToken,
        headers: { 'if-none-match': etagOf(asOwner) },
      });
      expect(again.status).toBe(304);
    });
  });

  describe('changes honour If-Match', () => {
    it('a post: the current tag applies, a stale, weak or malformed one is 412 and changes nothing', async () => {
      const author = await registerUser(server.api);
      const post = await createPost(server.api, author.accessToken, { title: 'Original' });
      const read = await server.api.get(`/v1/posts/${post.id}`, { token: author.accessToken });
      const tag = etagOf(read);

      const changed = await server.api.patch(
        `/v1/posts/${post.id}`,
        { title: 'First change' },
        { token: author.accessToken, headers: { 'if-match': tag } },
      );
      expect(changed.status).toBe(200);
      // The answer is the representation a read gets, with the same tag: a client can chain changes.
      const reread = await server.api.get(`/v1/posts/${post.id}`, { token: author.accessToken });
      expect(etagOf(changed)).toBe(etagOf(reread));
      expect(changed.body).toEqual(reread.body);

      for (const field of [tag, `W/${etagOf(changed)}`, 'not a tag', '']) {
        const refused = await server.api.patch(
          `/v1/posts/${post.id}`,
          { title: 'Lost update' },
          { token: author.accessToken, headers: { 'if-match': field } },
        );
        expect(refused.status).toBe(412);
        expect(refused.body.code).toBe('PRECONDITION_FAILED');
      }
      expect((await server.api.get(`/v1/posts/${post.id}`)).body.title).toBe('First change');

      const chained = await server.api.patch(
        `/v1/posts/${post.id}`,
        { title: 'Second change' },
        { token: author.accessToken, headers: { 'if-match': `"other", ${etagOf(changed)}` } },
      );
      expect(chained.status).toBe(200);
      const any = await server.api.patch(
        `/v1/posts/${post.id}`,
        { title: 'Third change' },
        { token: author.accessToken, headers: { 'if-match': '*' } },
      );
      expect(any.status).toBe(200);
      const unconditional = await server.api.patch(
        `/v1/posts/${post.id}`,
        { title: 'Fourth change' },
        { token: author.accessToken },
      );
      expect(unconditional.status).toBe(200);
    });

    it('of concurrent changes made with the same tag, exactly one applies', async () => {
      const author = await registerUser(server.api);
      const post = await createPost(server.api, author.accessToken);
      const tag = etagOf(await server.api.get(`/v1/posts/${post.id}`, { token: author.accessToken }));
      const titles = Array.from({ length: 8 }, (_, index) => `Concurrent ${index}`);
      const answers = await Promise.all(
        titles.map((title) =>
          server.api.patch(
            `/v1/posts/${post.id}`,
            { title, detail: { desc: title } },
            { token: author.accessToken, headers: { 'if-match': tag } },
          ),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 412)).toHaveLength(titles.length - 1);
      const winner = answers.find((answer) => answer.status === 200)!;
      const stored = await server.api.get(`/v1/posts/${post.id}`);
      expect(stored.body.title).toBe(winner.body.title);
      expect(stored.body.detail.desc).toBe(winner.body.title);
    });

    it("authorisation comes first: another user's If-Match gets 403, an unknown post 404", async () => {
      const author = await registerUser(server.api);
      const stranger = await registerUser(server.api);
      const post = await createPost(server.api, author.accessToken);
      const tag = etagOf(await server.api.get(`/v1/posts/${post.id}`, { token: stranger.accessToken }));
      const forbidden = await server.api.patch(
        `/v1/posts/${post.id}`,
        { title: 'Not mine' },
        { token: stranger.accessToken, headers: { 'if-match': tag } },
      );
      expect(forbidden.status).toBe(403);
      const unknown = await server.api.patch(
        '/v1/posts/01a211c9-1ada-701a-b52d-5e455dc3d299',
        { title: 'Nobody' },
        { token: author.accessToken, headers: { 'if-match': '*' } },
      );
      expect(unknown.status).toBe(404);
    });

    it('a profile: PUT with If-Match creates nothing, then PUT and PATCH apply only to the current tag', async () => {
      const user = await registerUser(server.api);
      const blind = await server.api.put(
        '/v1/users/me/profile',
        { bio: 'Blind' },
        { token: user.accessToken, headers: { 'if-match': '*' } },
      );
      expect(blind.status).toBe(412);
      expect((await server.api.get(`/v1/users/${user.id}/profile`)).status).toBe(404);
      const missing = await server.api.patch(
        '/v1/users/me/profile',
        { bio: 'x' },
        { token: user.accessToken, headers: { 'if-match': '*' } },
      );
      expect(missing.status).toBe(404);

      const created = await server.api.put(
        '/v1/users/me/profile',
        { bio: 'One' },
        { token: user.accessToken },
      );
      expect(created.status).toBe(201);
      const createdTag = etagOf(created);
      expect(etagOf(await server.api.get(`/v1/users/${user.id}/profile`))).toBe(createdTag);

      const replaced = await server.api.put(
        '/v1/users/me/profile',
        { bio: 'Two' },
        { token: user.accessToken, headers: { 'if-match': createdTag } },
      );
      expect(replaced.status).toBe(200);
      for (const change of [
        () =>
          server.api.put(
            '/v1/users/me/profile',
            { bio: 'Lost' },
            { token: user.accessToken, headers: { 'if-match': createdTag } },
          ),
        () =>
          server.api.patch(
            '/v1/users/me/profile',
            { bio: 'Lost' },
            { token: user.accessToken, headers: { 'if-match': createdTag } },
          ),
      ]) {
        const refused = await change();
        expect(refused.status).toBe(412);
        expect(refused.body.code).toBe('PRECONDITION_FAILED');
      }
      const patched = await server.api.patch(
        '/v1/users/me/profile',
        { age: 33 },
        { token: user.accessToken, headers: { 'if-match': etagOf(replaced) } },
      );
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ bio: 'Two', age: 33 });
    });

    it('an account: the OWNER renames with the current tag; a stale one is 412; a MEMBER stays 403', async () => {
      const account = await createAccountWithMembers(server.api, 'Before');
      const owner = { token: account.owner.accessToken };
      const tag = etagOf(await server.api.get(`/v1/accounts/${account.id}`, owner));
      const member = await server.api.patch(
        `/v1/accounts/${account.id}`,
        { name: 'Member' },
        { token: account.member.accessToken, headers: { 'if-match': tag } },
      );
      expect(member.status).toBe(403);
      const renamed = await server.api.patch(
        `/v1/accounts/${account.id}`,
        { name: 'After' },
        { ...owner, headers: { 'if-match': tag } },
      );
      expect(renamed.status).toBe(200);
      expect(etagOf(renamed)).toBe(etagOf(await server.api.get(`/v1/accounts/${account.id}`, owner)));
      const stale = await server.api.patch(
        `/v1/accounts/${account.id}`,
        { name: 'Lost' },
        { ...owner, headers: { 'if-match': tag } },
      );
      expect(stale.status).toBe(412);
      expect((await server.api.get(`/v1/accounts/${account.id}`, owner)).body.name).toBe('After');
    });
  });
});
