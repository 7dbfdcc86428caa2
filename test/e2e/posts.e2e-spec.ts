import { AuthService } from '@/modules/auth/auth.service';

import { createPost, newPostInput, PostCreate } from '../factories/posts';
import { RegisteredUser, registerUser } from '../factories/users';
import { useTestApp } from '../helpers/test-app';

const UNKNOWN_ID = '01a211c9-1ada-701a-b52d-5e455dc3d299';

describe('posts', () => {
  const server = useTestApp();
  let author: RegisteredUser;
  let other: RegisteredUser;

  beforeAll(async () => {
    author = await registerUser(server.api);
    other = await registerUser(server.api);
  });

  const ids = (response: { body: { data: { id: string }[] } }) => response.body.data.map((post) => post.id);

  describe('create and read', () => {
    it('creates a post with its detail in one request and shows it publicly', async () => {
      const input = newPostInput({ detail: { desc: 'Quiet street', size: 80, pet: 'allowed' } });
      const created = await server.api.post('/v1/posts', input, { token: author.accessToken });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        title: input.title,
        price: 1200,
        accountId: null,
        author: { id: author.id, username: author.username },
        detail: { desc: 'Quiet street', size: 80, pet: 'allowed', school: null },
      });
      expect(created.body.author.email).toBeUndefined();

      const anonymous = await server.api.get(`/v1/posts/${created.body.id}`);
      expect(anonymous.status).toBe(200);
      expect(anonymous.body.detail.desc).toBe('Quiet street');
      expect(anonymous.body.saved).toBeUndefined();
      const signedIn = await server.api.get(`/v1/posts/${created.body.id}`, { token: other.accessToken });
      expect(signedIn.body.saved).toBe(false);
    });

    it('creates a post without detail', async () => {
      const post = await createPost(server.api, author.accessToken, { price: 0 });
      expect(post.detail).toBeNull();
      expect(post.price).toBe(0);
    });

    it('accepts the largest price', async () => {
      const post = await createPost(server.api, author.accessToken, { price: 1_000_000_000_000 });
      expect(post.price).toBe(1_000_000_000_000);
    });

    it.each([
      ['title', { title: 'ab' }],
      ['title', { title: 't'.repeat(201) }],
      ['price', { price: -1 }],
      ['price', { price: 1_000_000_000_001 }],
      ['price', { price: 10.5 }],
      ['price', { price: '100' }],
      ['images', { images: Array.from({ length: 21 }, (_, i) => `https://cdn.example.com/${i}.jpg`) }],
      ['images', { images: ['http://cdn.example.com/1.jpg'] }],
      ['latitude', { latitude: 90.5 }],
      ['longitude', { longitude: -180.1 }],
      ['bedroom', { bedroom: 101 }],
      ['bathroom', { bathroom: -1 }],
      ['type', { type: 'SELL' }],
      ['property', { property: 'apartment' }],
      ['detail.desc', { detail: { desc: 'd'.repeat(10_001) } }],
      ['detail.size', { detail: { size: -5 } }],
      ['userId', { userId: UNKNOWN_ID }],
      ['accountId', { accountId: 'not-a-uuid' }],
      ['accountId', { accountId: null }],
      ['detail', { detail: null }],
      ['createdAt', { createdAt: '2020-01-01T00:00:00Z' }],
      ['detail.postId', { detail: { postId: UNKNOWN_ID } }],
    ])('refuses an invalid %s and creates nothing', async (field, overrides) => {
      const input = { ...newPostInput(), ...overrides };
      const response = await server.api.post('/v1/posts', input, {
        token: author.accessToken,
        invalid: `an invalid ${field}`,
      });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      const list = await server.api.get(`/v1/posts?city=${encodeURIComponent(String(input.city))}`);
      expect(list.body.data).toEqual([]);
    });

    it('needs a token to create', async () => {
      expect((await server.api.post('/v1/posts', newPostInput())).status).toBe(401);
    });

    it('answers 404 for an unknown post and 400 for a malformed id', async () => {
      expect((await server.api.get(`/v1/posts/${UNKNOWN_ID}`)).status).toBe(404);
      expect((await server.api.get('/v1/posts/nope', { invalid: 'a malformed id' })).status).toBe(400);
    });
  });

  describe('update and delete', () => {
    it('lets the author change fields and detail together, creating the detail if missing', async () => {
      const post = await createPost(server.api, author.accessToken);
      const response = await server.api.patch(
        `/v1/posts/${post.id}`,
        { price: 999, detail: { bus: 150 } },
        { token: author.accessToken },
      );
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        price: 999,
        title: post.title,
        detail: { bus: 150, desc: null },
      });
      const again = await server.api.patch(
        `/v1/posts/${post.id}`,
        { detail: { desc: 'Now described' } },
        {
          token: author.accessToken,
        },
      );
      expect(again.body.detail).toMatchObject({ bus: 150, desc: 'Now described' });
    });

    it('changes nothing when part of an update is invalid', async () => {
      const post = await createPost(server.api, author.accessToken);
      const response = await server.api.patch(
        `/v1/posts/${post.id}`,
        { price: 5, detail: { size: -1 } },
        { token: author.accessToken, invalid: 'a negative detail.size' },
      );
      expect(response.status).toBe(400);
      expect((await server.api.get(`/v1/posts/${post.id}`)).body.price).toBe(post.price);
    });

    it('refuses another user (403), an anonymous caller (401) and unknown posts (404)', async () => {
      const post = await createPost(server.api, author.accessToken);
      const update = await server.api.patch(
        `/v1/posts/${post.id}`,
        { price: 1 },
        { token: other.accessToken },
      );
      expect(update.status).toBe(403);
      expect(update.body.code).toBe('NOT_POST_OWNER');
      expect((await server.api.delete(`/v1/posts/${post.id}`, { token: other.accessToken })).status).toBe(
        403,
      );
      expect((await server.api.patch(`/v1/posts/${post.id}`, { price: 1 })).status).toBe(401);
      expect((await server.api.delete(`/v1/posts/${post.id}`)).status).toBe(401);
      expect(
        (await server.api.patch(`/v1/posts/${UNKNOWN_ID}`, { price: 1 }, { token: author.accessToken }))
          .status,
      ).toBe(404);
      expect((await server.api.get(`/v1/posts/${post.id}`)).body.price).toBe(post.price);
    });

    it('lets a platform admin change and delete any post', async () => {
      const admin = await registerUser(server.api);
      await server.app.get(AuthService).promoteAdmin(admin.email);
      const post = await createPost(server.api, author.accessToken);
      expect(
        (await server.api.patch(`/v1/posts/${post.id}`, { title: 'Moderated' }, { token: admin.accessToken }))
          .status,
      ).toBe(200);
      expect((await server.api.delete(`/v1/posts/${post.id}`, { token: admin.accessToken })).status).toBe(
        204,
      );
    });

    it('deletes a post with its detail and saves', async () => {
      const post = await createPost(server.api, author.accessToken, { detail: { desc: 'x' } });
      await server.api.post('/v1/saved-posts', { postId: post.id }, { token: other.accessToken });
      expect((await server.api.delete(`/v1/posts/${post.id}`, { token: author.accessToken })).status).toBe(
        204,
      );
      expect((await server.api.get(`/v1/posts/${post.id}`)).status).toBe(404);
      const saves = await server.api.get('/v1/saved-posts', { token: other.accessToken });
      expect(saves.body.data.map((save: { postId: string }) => save.postId)).not.toContain(post.id);
      expect((await server.api.delete(`/v1/posts/${post.id}`, { token: author.accessToken })).status).toBe(
        404,
      );
    });
  });

  describe('list', () => {
    let city: string;
    let posts: Record<string, any>[];

    beforeAll(async () => {
      city = `Filterville ${Date.now()}`;
      const specs: Partial<PostCreate>[] = [
        {
          price: 500,
          bedroom: 1,
          bathroom: 1,
          type: 'RENT',
          property: 'APARTMENT',
          title: 'Cosy studio by the harbour',
        },
        { price: 900, bedroom: 2, bathroom: 1, type: 'RENT', property: 'CONDO', title: 'Condo with garden' },
        {
          price: 250_000,
          bedroom: 3,
          bathroom: 2,
          type: 'BUY',
          property: 'HOUSE',
          title: 'Family house',
          latitude: 41.15,
          longitude: -8.61,
        },
        {
          price: 90_000,
          bedroom: 0,
          bathroom: 0,
          type: 'BUY',
          property: 'LAND',
          title: 'Plot near the harbour',
        },
      ];
      posts = [];
      for (const spec of specs) {
        posts.push(await createPost(server.api, author.accessToken, { city, ...spec }));
      }
    });

    const list = (query: string, token?: string, invalid?: string) =>
      server.api.get(`/v1/posts?city=${encodeURIComponent(city)}&${query}`, { token, invalid });

    it('filters by city case-insensitively, newest first by default', async () => {
      const response = await server.api.get(`/v1/posts?city=${encodeURIComponent(city.toUpperCase())}`);
      expect(response.status).toBe(200);
      expect(ids(response)).toEqual(posts.map((post) => post.id).reverse());
      expect(response.body.nextCursor).toBeNull();
    });

    it.each([
      ['type=BUY', [2, 3]],
      ['property=CONDO', [1]],
      ['minPrice=900', [1, 2, 3]],
      ['maxPrice=900', [0, 1]],
      ['minPrice=600&maxPrice=100000', [1, 3]],
      ['bedroom=2', [1, 2]],
      ['bathroom=2', [2]],
      ['q=harbour', [0, 3]],
      ['q=garden%20condo', [1]],
      ['bbox=-8.7,41.1,-8.5,41.2', [2]],
    ])('filters with %s', async (query, expected) => {
      const response = await list(`${query}&sort=price_asc`);
      expect(response.status).toBe(200);
      expect(ids(response).sort()).toEqual(expected.map((i) => posts[i].id).sort());
    });

    it('sorts by price both ways', async () => {
      const ascending = await list('sort=price_asc');
      expect(ascending.body.data.map((post: { price: number }) => post.price)).toEqual([
        500, 900, 90_000, 250_000,
      ]);
      const descending = await list('sort=price_desc');
      expect(descending.body.data.map((post: { price: number }) => post.price)).toEqual([
        250_000, 90_000, 900, 500,
      ]);
    });

    it.each(['newest', 'price_asc', 'price_desc'])('pages through %s with a cursor', async (sort) => {
      const all = ids(await list(`sort=${sort}`));
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await list(`sort=${sort}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...ids(page));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all);
    });

    it('marks saved posts for a signed-in caller', async () => {
      await server.api.post('/v1/saved-posts', { postId: posts[1].id }, { token: other.accessToken });
      const response = await list('sort=price_asc', other.accessToken);
      expect(response.body.data.map((post: { saved: boolean }) => post.saved)).toEqual([
        false,
        true,
        false,
        false,
      ]);
      expect((await list('sort=price_asc')).body.data[0].saved).toBeUndefined();
    });

    it('refuses a cursor of another sort, and a tampered one', async () => {
      const first = await list('sort=price_asc&limit=1');
      const wrongSort = await list(
        `sort=newest&cursor=${first.body.nextCursor}`,
        undefined,
        'a cursor of another sort',
      );
      expect(wrongSort.status).toBe(400);
      expect(wrongSort.body.code).toBe('INVALID_CURSOR');
      const [payload, signature] = String(first.body.nextCursor).split('.');
      const tampered = await list(
        `sort=price_asc&cursor=${payload}x.${signature}`,
        undefined,
        'a tampered cursor',
      );
      expect(tampered.status).toBe(400);
    });

    it.each([
      ['sort', 'sort=cheapest'],
      ['type', 'type=SELL'],
      ['minPrice', 'minPrice=-1'],
      ['maxPrice', 'minPrice=10&maxPrice=5'],
      ['bbox', 'bbox=1,2,3'],
      ['bbox', 'bbox=10,0,-10,5'],
      ['limit', 'limit=0'],
      ['bedroom', 'bedroom=abc'],
    ])('names the invalid parameter %s', async (field, query) => {
      const response = await server.api.get(`/v1/posts?${query}`, { invalid: `an invalid ${field}` });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('never repeats or skips a row while others insert', async () => {
      const busy = `Busytown ${Date.now()}`;
      const initial: string[] = [];
      for (let i = 0; i < 6; i += 1) {
        initial.push((await createPost(server.api, author.accessToken, { city: busy, price: 1000 + i })).id);
      }
      for (const sort of ['newest', 'price_asc']) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let page = 0;
        do {
          const response: any = await server.api.get(
            `/v1/posts?city=${encodeURIComponent(busy)}&sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          );
          seen.push(...ids(response));
          cursor = response.body.nextCursor;
          // New posts arrive between pages: newer ones (before the cursor) and cheaper ones.
          await createPost(server.api, author.accessToken, { city: busy, price: 1 + page });
          page += 1;
        } while (cursor);
        expect(new Set(seen).size).toBe(seen.length);
        for (const id of initial) {
          expect(seen).toContain(id);
        }
      }
    });
  });

  describe("a user's posts", () => {
    it('lists them newest first, publicly', async () => {
      const owner = await registerUser(server.api);
      const first = await createPost(server.api, owner.accessToken);
      const second = await createPost(server.api, owner.accessToken);
      const response = await server.api.get(`/v1/users/${owner.id}/posts`);
      expect(response.status).toBe(200);
      expect(ids(response)).toEqual([second.id, first.id]);
      const paged = await server.api.get(`/v1/users/${owner.id}/posts?limit=1`);
      const next = await server.api.get(
        `/v1/users/${owner.id}/posts?limit=1&cursor=${paged.body.nextCursor}`,
      );
      expect(ids(next)).toEqual([first.id]);
    });

    it('answers 404 for an unknown user', async () => {
      expect((await server.api.get(`/v1/users/${UNKNOWN_ID}/posts`)).status).toBe(404);
    });
  });
});
