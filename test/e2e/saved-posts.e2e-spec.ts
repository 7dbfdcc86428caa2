import { createPost } from '../factories/posts';
import { RegisteredUser, registerUser } from '../factories/users';
import { useTestApp } from '../helpers/test-app';

describe('saved posts', () => {
  const server = useTestApp();
  let author: RegisteredUser;

  beforeAll(async () => {
    author = await registerUser(server.api);
  });

  it('saves (201), saves again (200), lists and unsaves', async () => {
    const user = await registerUser(server.api);
    const post = await createPost(server.api, author.accessToken);
    const first = await server.api.post('/v1/saved-posts', { postId: post.id }, { token: user.accessToken });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ postId: post.id, post: { id: post.id, saved: true } });
    const again = await server.api.post('/v1/saved-posts', { postId: post.id }, { token: user.accessToken });
    expect(again.status).toBe(200);
    expect(again.body.savedAt).toBe(first.body.savedAt);
    expect((await server.api.get(`/v1/posts/${post.id}`, { token: user.accessToken })).body.saved).toBe(true);

    expect((await server.api.delete(`/v1/saved-posts/${post.id}`, { token: user.accessToken })).status).toBe(
      204,
    );
    expect((await server.api.delete(`/v1/saved-posts/${post.id}`, { token: user.accessToken })).status).toBe(
      404,
    );
    expect((await server.api.get('/v1/saved-posts', { token: user.accessToken })).body.data).toEqual([]);
  });

  it('keeps exactly one save after twenty parallel saves, with no server error', async () => {
    const user = await registerUser(server.api);
    const post = await createPost(server.api, author.accessToken);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        server.api.post('/v1/saved-posts', { postId: post.id }, { token: user.accessToken }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(19);
    const list = await server.api.get('/v1/saved-posts', { token: user.accessToken });
    expect(list.body.data).toHaveLength(1);
  });

  it('answers 404 for an unknown post and 400 for a malformed id', async () => {
    const user = await registerUser(server.api);
    const unknown = await server.api.post(
      '/v1/saved-posts',
      { postId: '01a211c9-1ada-701a-b52d-5e455dc3d299' },
      { token: user.accessToken },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('POST_NOT_FOUND');
    const malformed = await server.api.post(
      '/v1/saved-posts',
      { postId: 'x' },
      { token: user.accessToken, invalid: 'a malformed post id' },
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].field).toBe('postId');
    expect(
      (
        await server.api.delete('/v1/saved-posts/x', {
          token: user.accessToken,
          invalid: 'a malformed post id',
        })
      ).status,
    ).toBe(400);
  });

  it('lists my saves newest first, page by page, each with its post', async () => {
    const user = await registerUser(server.api);
    const posts = [];
    for (let i = 0; i < 3; i += 1) {
      posts.push(await createPost(server.api, author.accessToken));
      await server.api.post('/v1/saved-posts', { postId: posts[i].id }, { token: user.accessToken });
    }
    const first = await server.api.get('/v1/saved-posts?limit=2', { token: user.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.data.map((save: { postId: string }) => save.postId)).toEqual([
      posts[2].id,
      posts[1].id,
    ]);
    expect(first.body.data[0].post).toMatchObject({ id: posts[2].id, author: { id: author.id } });
    const second = await server.api.get(`/v1/saved-posts?limit=2&cursor=${first.body.nextCursor}`, {
      token: user.accessToken,
    });
    expect(second.body.data.map((save: { postId: string }) => save.postId)).toEqual([posts[0].id]);
    expect(second.body.nextCursor).toBeNull();
  });

  it("never shows or removes another user's saves", async () => {
    const owner = await registerUser(server.api);
    const intruder = await registerUser(server.api);
    const post = await createPost(server.api, author.accessToken);
    await server.api.post('/v1/saved-posts', { postId: post.id }, { token: owner.accessToken });
    expect((await server.api.get('/v1/saved-posts', { token: intruder.accessToken })).body.data).toEqual([]);
    expect(
      (await server.api.delete(`/v1/saved-posts/${post.id}`, { token: intruder.accessToken })).status,
    ).toBe(404);
    expect((await server.api.get('/v1/saved-posts', { token: owner.accessToken })).body.data).toHaveLength(1);
  });

  it('needs a token', async () => {
    expect((await server.api.get('/v1/saved-posts')).status).toBe(401);
    expect(
      (await server.api.post('/v1/saved-posts', { postId: '01a211c9-1ada-701a-b52d-5e455dc3d299' })).status,
    ).toBe(401);
    expect((await server.api.delete('/v1/saved-posts/01a211c9-1ada-701a-b52d-5e455dc3d299')).status).toBe(
      401,
    );
  });
});
