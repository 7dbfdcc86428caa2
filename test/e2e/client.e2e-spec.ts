import { randomBytes, randomUUID } from 'node:crypto';

import jwt from 'jsonwebtoken';

import {
  createListingsClient,
  idempotencyKey,
  type ListingsClient,
  paginate,
  ProblemError,
  type Tokens,
  unwrap,
  wasReplayed,
} from '../../clients/typescript/src';
import { OpenApiContract } from '../helpers/openapi-contract';
import { SteppingClock } from '../helpers/stepping-clock';
import { startTestApp, TestApp } from '../helpers/test-app';

const SECRET = 'client-e2e-secret-that-is-long-enough-for-hs256';

/** A unique, valid post body; the city is the test's own, so lists hold only its posts. */
function postInput(city: string, title: string) {
  return {
    title,
    price: 1500,
    images: ['https://cdn.example.com/p/1.jpg'],
    address: '12 Rua das Flores',
    city,
    bedroom: 2,
    bathroom: 1,
    latitude: 38.72,
    longitude: -9.14,
    type: 'RENT' as const,
    property: 'APARTMENT' as const,
  };
}

/** A well-signed access token of the same session that expired a minute ago. */
function expired(accessToken: string): string {
  const claims = jwt.decode(accessToken) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign({ ...claims, iat: now - 120, exp: now - 60 }, SECRET, { algorithm: 'HS256' });
}

async function expectProblem(call: Promise<unknown>, status: number, code: string): Promise<ProblemError> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ProblemError);
  const problem = error as ProblemError;
  expect(problem).toMatchObject({ status, code });
  expect(problem.requestId).toEqual(expect.any(String));
  return problem;
}

describe('the typed client (clients/typescript)', () => {
  let server: TestApp;
  let baseUrl: string;
  /** `METHOD /path` of every request the clients sent, in order. */
  const sent: string[] = [];
  /** Where an answer the clients got differs from openapi.json, which their types come from. */
  const violations: string[] = [];
  const contract = OpenApiContract.load();
  const recordingFetch = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    sent.push(`${request.method} ${path}`);
    const response = await fetch(request);
    const text = await response.clone().text();
    const contentType = response.headers.get('content-type');
    const body: unknown = contentType?.includes('json') && text ? JSON.parse(text) : text;
    violations.push(
      ...contract.check({ method: request.method, path, status: response.status, contentType, body, text }),
    );
    return response;
  };
  const issued: (Tokens | null)[] = [];
  let alice: ListingsClient;
  let bob: ListingsClient;
  let aliceId: string;
  let bobId: string;
  const city = `Client City ${randomBytes(4).toString('hex')}`;

  async function signUp(client: ListingsClient): Promise<string> {
    const tag = randomBytes(5).toString('hex');
    const auth = unwrap(
      await client.POST('/v1/auth/register', {
        body: {
          email: `client-${tag}@example.com`,
          username: `client_${tag}`,
          password: `pw-${tag}-long-enough`,
        },
      }),
    );
    client.setTokens({ access: auth.accessToken, refresh: auth.refreshToken });
    return auth.user.id;
  }

  beforeAll(async () => {
    server = await startTestApp({ JWT_SECRET: SECRET }, { clock: new SteppingClock() });
    baseUrl = await server.app.getUrl();
    alice = createListingsClient({
      baseUrl,
      fetch: recordingFetch,
      onTokens: (tokens) => issued.push(tokens),
    });
    bob = createListingsClient({ baseUrl, fetch: recordingFetch });
    aliceId = await signUp(alice);
    bobId = await signUp(bob);
  });

  afterEach(() => {
    expect(violations.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await server.close();
  });

  it('registers and reads the signed-in user', async () => {
    const me = unwrap(await alice.GET('/v1/users/me'));
    expect(me.id).toBe(aliceId);
    expect(me.email).toMatch(/^client-[0-9a-f]{10}@example\.com$/);
    expect(me.role).toBe('USER');
    expect(alice.tokens?.access).toEqual(expect.any(String));
  });

  it('creates a post once under an Idempotency-Key and replays it for the same request', async () => {
    const key = idempotencyKey();
    expect(key['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
    const body = postInput(city, 'Idempotent flat');
    const first = await alice.POST('/v1/posts', { body, params: { header: key } });
    const again = await alice.POST('/v1/posts', { body, params: { header: key } });
    expect(first.response.status).toBe(201);
    expect(wasReplayed(first.response)).toBe(false);
    expect(again.response.status).toBe(201);
    expect(wasReplayed(again.response)).toBe(true);
    const post = unwrap(first);
    expect(unwrap(again)).toEqual(post);
    expect(post).toMatchObject({ title: 'Idempotent flat', city, price: 1500, author: { id: aliceId } });
    const listed = unwrap(await alice.GET('/v1/posts', { params: { query: { city, limit: 10 } } }));
    expect(listed.data.map((item) => item.id)).toEqual([post.id]);
  });

  it('walks a list across pages with the page iterator', async () => {
    const created: string[] = [];
    for (const title of ['Second', 'Third', 'Fourth', 'Fifth']) {
      created.push(unwrap(await alice.POST('/v1/posts', { body: postInput(city, title) })).id);
    }
    sent.length = 0;
    const titles: string[] = [];
    for await (const post of paginate(alice, '/v1/posts', { params: { query: { city, limit: 2 } } })) {
      titles.push(post.title);
      expect(post.author.id).toBe(aliceId);
    }
    expect(titles).toEqual(['Fifth', 'Fourth', 'Third', 'Second', 'Idempotent flat']);
    expect(sent).toEqual(['GET /v1/posts', 'GET /v1/posts', 'GET /v1/posts']);

    sent.length = 0;
    for await (const post of paginate(alice, '/v1/posts', { params: { query: { city, limit: 2 } } })) {
      expect(post.title).toBe('Fifth');
      break;
    }
    expect(sent).toEqual(['GET /v1/posts']);
  });

  it('saves a post and lists it among the saved ones', async () => {
    const [post] = unwrap(await alice.GET('/v1/posts', { params: { query: { city, limit: 1 } } })).data;
    const saved = await bob.POST('/v1/saved-posts', { body: { postId: post.id } });
    expect(saved.response.status).toBe(201);
    expect(unwrap(saved).postId).toBe(post.id);
    const again = await bob.POST('/v1/saved-posts', { body: { postId: post.id } });
    expect(again.response.status).toBe(200);
    const mine = [];
    for await (const item of paginate(bob, '/v1/saved-posts', { params: { query: { limit: 1 } } })) {
      mine.push(item);
    }
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ postId: post.id, post: { id: post.id, title: 'Fifth', city } });
    const read = unwrap(await bob.GET('/v1/posts/{id}', { params: { path: { id: post.id } } }));
    expect(read.saved).toBe(true);
  });

  it('opens a chat with a second user, sends messages and lists them', async () => {
    const opened = await alice.POST('/v1/chats', { body: { participantIds: [bobId] } });
    expect(opened.response.status).toBe(201);
    const chat = unwrap(opened);
    expect(chat.participants.map((user) => user.id).sort()).toEqual([aliceId, bobId].sort());
    unwrap(
      await alice.POST('/v1/chats/{id}/messages', {
        params: { path: { id: chat.id }, header: idempotencyKey() },
        body: { text: 'Is the flat still available?' },
      }),
    );
    unwrap(
      await bob.POST('/v1/chats/{id}/messages', {
        params: { path: { id: chat.id } },
        body: { text: '  Yes, come on Saturday.  ' },
      }),
    );
    const messages = [];
    for await (const message of paginate(bob, '/v1/chats/{id}/messages', {
      params: { path: { id: chat.id }, query: { limit: 1 } },
    })) {
      messages.push({ text: message.text, senderId: message.senderId });
    }
    expect(messages).toEqual([
      { text: 'Yes, come on Saturday.', senderId: bobId },
      { text: 'Is the flat still available?', senderId: aliceId },
    ]);
    const [listed] = unwrap(await alice.GET('/v1/chats', { params: { query: { limit: 5 } } })).data;
    expect(listed).toMatchObject({
      id: chat.id,
      unreadCount: 1,
      lastMessage: { text: 'Yes, come on Saturday.' },
    });
  });

  it('throws a ProblemError with status and code for an unknown post', async () => {
    const problem = await expectProblem(
      alice.GET('/v1/posts/{id}', { params: { path: { id: randomUUID() } } }).then(unwrap),
      404,
      'POST_NOT_FOUND',
    );
    expect(problem.type).toMatch(/^urn:problem-type:/);
    expect(problem.response?.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('throws a ProblemError naming the invalid field for a validation error', async () => {
    const problem = await expectProblem(
      alice.POST('/v1/posts', { body: { ...postInput(city, 'Negative'), price: -1 } }).then(unwrap),
      400,
      'VALIDATION_FAILED',
    );
    expect(problem.fieldError('price')).toEqual(expect.any(String));
    expect(problem.errors.map((error) => error.field)).toEqual(['price']);
  });

  it('refreshes an expired access token once for concurrent calls and retries them', async () => {
    const before = alice.tokens!;
    alice.setTokens({ access: expired(before.access), refresh: before.refresh });
    issued.length = 0;
    sent.length = 0;
    const [me, chats, saved] = await Promise.all([
      alice.GET('/v1/users/me').then(unwrap),
      alice.GET('/v1/chats', { params: { query: { limit: 5 } } }).then(unwrap),
      alice.GET('/v1/saved-posts', { params: { query: { limit: 5 } } }).then(unwrap),
    ]);
    expect(me.id).toBe(aliceId);
    expect(chats.data).toHaveLength(1);
    expect(saved.data).toEqual([]);
    expect(sent.filter((call) => call === 'POST /v1/auth/refresh')).toHaveLength(1);
    expect(sent).toHaveLength(3 + 1 + 3);
    expect(issued).toHaveLength(1);
    expect(issued[0]).toEqual(alice.tokens);
    expect(alice.tokens!.refresh).not.toBe(before.refresh);
    expect(jwt.decode(alice.tokens!.access)).toMatchObject({ sub: aliceId });
  });

  it('retries a create with its body after a refresh', async () => {
    const current = alice.tokens!;
    alice.setTokens({ access: expired(current.access), refresh: current.refresh });
    const post = unwrap(
      await alice.POST('/v1/posts', {
        body: postInput(city, 'After refresh'),
        params: { header: idempotencyKey() },
      }),
    );
    expect(post).toMatchObject({ title: 'After refresh', author: { id: aliceId } });
    expect(issued).toHaveLength(2);
  });

  it('surfaces the original 401 when the refresh fails, and forgets the session', async () => {
    const current = alice.tokens!;
    alice.setTokens({ access: expired(current.access), refresh: `${current.refresh}x` });
    issued.length = 0;
    const problem = await expectProblem(alice.GET('/v1/users/me').then(unwrap), 401, 'UNAUTHENTICATED');
    expect(problem.detail).toMatch(/expired/);
    expect(problem.response?.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect(issued).toEqual([null]);
    expect(alice.tokens).toBeNull();
  });

  it('publishes for an account with an API key', async () => {
    const account = unwrap(await bob.POST('/v1/accounts', { body: { name: 'Client Realty' } }));
    const key = unwrap(
      await bob.POST('/v1/accounts/{id}/api-keys', {
        params: { path: { id: account.id } },
        body: { name: 'import', scopes: ['posts:read', 'posts:write'] },
      }),
    );
    const integrator = createListingsClient({ baseUrl, fetch: recordingFetch, apiKey: key.secret });
    const post = unwrap(await integrator.POST('/v1/posts', { body: postInput(city, 'From the CRM') }));
    expect(post.accountId).toBe(account.id);
  });
});
