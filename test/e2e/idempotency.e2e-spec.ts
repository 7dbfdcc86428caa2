import { createHash } from 'node:crypto';

import { IdempotencyRepository } from '@/common/idempotency/idempotency.repository';

import { newPostInput } from '../factories/posts';
import { newUserInput, RegisteredUser, registerUser } from '../factories/users';
import { useTestApp } from '../helpers/test-app';

describe('idempotent POSTs', () => {
  const server = useTestApp();
  let user: RegisteredUser;

  beforeAll(async () => {
    user = await registerUser(server.api);
  });

  const post = (body: Record<string, unknown>, key: string, token = user.accessToken, invalid?: string) =>
    server.api.post('/v1/posts', body, { token, headers: { 'idempotency-key': key }, invalid });
  const postsIn = async (city: unknown) =>
    (await server.api.get(`/v1/posts?city=${encodeURIComponent(String(city))}`)).body.data.length;

  it('replays the first response for the same key and body, writing nothing', async () => {
    const body = newPostInput();
    const first = await post(body, 'create-1');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await post(body, 'create-1');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await postsIn(body.city)).toBe(1);
  });

  it('refuses the same key with another body (422)', async () => {
    await post(newPostInput(), 'create-2');
    const other = await post(newPostInput(), 'create-2');
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('does not store a request rejected by validation', async () => {
    const invalid = await post(newPostInput({ price: -1 }), 'create-3', undefined, 'a negative price');
    expect(invalid.status).toBe(400);
    const valid = await post(newPostInput(), 'create-3');
    expect(valid.status).toBe(201);
    expect(valid.headers.get('idempotent-replayed')).toBeNull();
  });

  it('replays a refusal too', async () => {
    const first = await server.api.post(
      '/v1/saved-posts',
      { postId: '01a211c9-1ada-701a-b52d-5e455dc3d299' },
      { token: user.accessToken, headers: { 'idempotency-key': 'save-1' } },
    );
    expect(first.status).toBe(404);
    const again = await server.api.post(
      '/v1/saved-posts',
      { postId: '01a211c9-1ada-701a-b52d-5e455dc3d299' },
      { token: user.accessToken, headers: { 'idempotency-key': 'save-1' } },
    );
    expect(again.status).toBe(404);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(again.body.code).toBe('POST_NOT_FOUND');
  });

  /** A claim of `key` for `body` as a request makes it before its handler runs, holding for `leaseMs`. */
  const claimFor = (body: Record<string, unknown>, key: string, leaseMs: number) =>
    server.app.get(IdempotencyRepository).claim({
      scope: `user:${user.id}`,
      key,
      userId: user.id,
      method: 'POST',
      path: '/v1/posts',
      requestHash: createHash('sha256')
        .update(JSON.stringify(['POST', '/v1/posts', body]))
        .digest('hex'),
      leaseExpiresAt: new Date(Date.now() + leaseMs),
      expiresAt: new Date(Date.now() + 60_000),
    });

  it('lets only the holder of the current lease complete or release a claim', async () => {
    const records = server.app.get(IdempotencyRepository);
    const body = newPostInput();
    const id = (await claimFor(body, 'lease-fencing', -1))!;
    const first = { id, lease: (await records.find(`user:${user.id}`, 'lease-fencing'))!.leaseExpiresAt };
    // Its lease is over already: another request may take the claim over.
    expect(first.lease.getTime()).toBeLessThan(Date.now());
    const second = { id, lease: new Date(Date.now() + 60_000) };
    expect(await records.takeOver(id, new Date(), second.lease)).toBe(true);

    // The request that outlived its lease can neither store its answer nor forget the claim.
    expect(await records.complete(first, 201, { from: 'first' })).toBe(false);
    await records.release(first);
    const held = await records.find(`user:${user.id}`, 'lease-fencing');
    expect(held).toMatchObject({ responseStatus: null });

    expect(await records.complete(second, 201, { from: 'second' })).toBe(true);
    expect(await records.find(`user:${user.id}`, 'lease-fencing')).toMatchObject({
      responseStatus: 201,
      responseBody: { from: 'second' },
    });
  });

  it('answers 409 while the first request with the key is in flight', async () => {
    const body = newPostInput();
    await claimFor(body, 'in-flight', 60_000);
    const duplicate = await post(body, 'in-flight');
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe('IDEMPOTENCY_IN_FLIGHT');
    expect(await postsIn(body.city)).toBe(0);
  });

  it('lets a request take over the key of one that crashed half-way once its lease has run out', async () => {
    const body = newPostInput();
    await claimFor(body, 'crashed', -1); // claimed, never completed, lease over
    const other = await post(newPostInput(), 'crashed');
    expect(other.status).toBe(422); // the key still belongs to that request's body
    const retry = await post(body, 'crashed');
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    const replay = await post(body, 'crashed');
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(retry.body);
    expect(await postsIn(body.city)).toBe(1);
  });

  it('lets one of several parallel requests take over an abandoned key', async () => {
    const body = newPostInput();
    await claimFor(body, 'crashed-parallel', -1);
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(body, 'crashed-parallel')));
    const fresh = responses.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null);
    expect(fresh).toHaveLength(1);
    expect(responses.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(await postsIn(body.city)).toBe(1);
  });

  it('leaves one post after twenty parallel requests with one key, and no server error', async () => {
    const body = newPostInput();
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(body, 'parallel-1')));
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    const fresh = responses.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null);
    expect(fresh).toHaveLength(1);
    expect(await postsIn(body.city)).toBe(1);
  });

  it('scopes keys to the caller', async () => {
    const other = await registerUser(server.api);
    const body = newPostInput();
    expect((await post(body, 'shared-key')).status).toBe(201);
    const theirs = await post(body, 'shared-key', other.accessToken);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(await postsIn(body.city)).toBe(2);
  });

  it('refuses a key that is too long or not plain text', async () => {
    for (const key of ['k'.repeat(256), 'with space']) {
      const response = await post(newPostInput(), key, undefined, 'an invalid Idempotency-Key');
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('Idempotency-Key');
    }
  });

  it('never replays auth responses, which carry tokens', async () => {
    const input = newUserInput();
    const headers = { 'idempotency-key': 'register-1' };
    expect((await server.api.post('/v1/auth/register', input, { headers })).status).toBe(201);
    const again = await server.api.post('/v1/auth/register', input, { headers });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('EMAIL_TAKEN');
  });
});
