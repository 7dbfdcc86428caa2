import { PrismaService } from 'nestjs-prisma';

import { AccountWithMembers, createAccountWithMembers } from '../factories/accounts';
import { createPost } from '../factories/posts';
import { registerUser } from '../factories/users';
import { METRICS_TOKEN, startServer, useTestApp } from '../helpers/test-app';
import { createTestDatabase } from '../helpers/test-database';
import { JOB_SETTINGS } from '../helpers/test-queues';
import { waitFor } from '../helpers/wait-for';
import { verify, WebhookReceiver } from '../helpers/webhook-receiver';

const ALL_EVENTS = ['post.created', 'post.updated', 'post.deleted'];
/** Three quick attempts, so that retries show within seconds. */
const SETTINGS = {
  ...JOB_SETTINGS,
  WEBHOOK_RETRY_SCHEDULE_S: '0,1,1',
  // Fixed, so that a second instance on the same database reads the secrets and tokens of the first.
  WEBHOOK_SECRET_KEY: 'test-webhook-secret-key-0123456789abcdef',
  JWT_SECRET: 'test-jwt-secret-shared-by-instances-0123456789',
};

describe('webhooks', () => {
  const server = useTestApp(SETTINGS);
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
  });

  afterEach(async () => {
    await receiver.close();
  });

  /** An account and an endpoint of it at the receiver; its id and secret. */
  async function registered(
    events = ALL_EVENTS,
    account?: AccountWithMembers,
  ): Promise<{ account: AccountWithMembers; id: string; secret: string; base: string }> {
    account ??= await createAccountWithMembers(server.api);
    const response = await server.api.post(
      `/v1/accounts/${account.id}/webhooks`,
      { url: receiver.url(), events, description: 'test receiver' },
      { token: account.owner.accessToken },
    );
    expect(response.status).toBe(201);
    expect(response.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const base = `/v1/accounts/${account.id}/webhooks/${response.body.id}`;
    expect(response.headers.get('location')).toBe(base);
    return { account, id: response.body.id, secret: response.body.secret, base };
  }

  async function deliveries(account: AccountWithMembers, base: string): Promise<any[]> {
    const response = await server.api.get(`${base}/deliveries`, { token: account.owner.accessToken });
    expect(response.status).toBe(200);
    return response.body.data;
  }

  it('delivers each post event of the account, signed, with the post as GET shows it', async () => {
    const { account, secret, base } = await registered();
    const token = account.owner.accessToken;
    await createPost(server.api, token); // no account: no event
    const post = await createPost(server.api, token, { accountId: account.id, detail: { desc: 'Bright' } });
    await waitFor(() => receiver.received.length >= 1, 'post.created');
    const patched = await server.api.patch(`/v1/posts/${post.id}`, { title: 'Renamed' }, { token });
    expect(patched.status).toBe(200);
    await waitFor(() => receiver.received.length >= 2, 'post.updated');
    expect((await server.api.delete(`/v1/posts/${post.id}`, { token })).status).toBe(204);
    await waitFor(() => receiver.received.length >= 3, 'post.deleted');

    const [created, updated, deleted] = receiver.received;
    for (const request of receiver.received) {
      expect(verify(request, secret)).toEqual(request.body);
      expect(request.signatures).toHaveLength(1);
      expect(request.headers['content-type']).toBe('application/json');
    }
    expect(created.body).toMatchObject({
      type: 'post.created',
      data: { post: { id: post.id, title: post.title } },
    });
    expect(created.body.data.post).toEqual(JSON.parse(JSON.stringify(post)));
    const anonymousRead = { ...patched.body };
    delete anonymousRead.saved;
    expect(updated.body).toMatchObject({ type: 'post.updated' });
    expect(updated.body.data.post).toEqual(anonymousRead);
    expect(deleted.body).toEqual({
      type: 'post.deleted',
      timestamp: expect.any(String),
      data: { post: { id: post.id } },
    });
    expect(new Set(receiver.received.map(({ id }) => id)).size).toBe(3);

    await waitFor(
      async () => (await deliveries(account, base)).every((d) => d.status === 'succeeded'),
      'the log',
    );
    const log = await deliveries(account, base);
    expect(log.map((d) => d.eventType)).toEqual(['post.deleted', 'post.updated', 'post.created']);
    expect(log[0]).toMatchObject({ attempts: 1, responseStatus: 204, nextAttemptAt: null, error: null });
    expect(log.map((d) => `msg_${d.eventId}`)).toEqual([deleted.id, updated.id, created.id]);
  });

  it('delivers only the events an endpoint takes', async () => {
    const { account } = await registered(['post.deleted']);
    const post = await createPost(server.api, account.owner.accessToken, { accountId: account.id });
    await server.api.patch(`/v1/posts/${post.id}`, { title: 'Again' }, { token: account.owner.accessToken });
    await server.api.delete(`/v1/posts/${post.id}`, { token: account.owner.accessToken });
    await waitFor(() => receiver.received.length >= 1, 'post.deleted');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received.map((request) => request.body.type)).toEqual(['post.deleted']);
  });

  it('retries after failures with the same webhook-id and a fresh timestamp, honouring Retry-After', async () => {
    const { account, secret, base } = await registered(['post.created']);
    receiver.answerWith(
      { status: 503, headers: { 'retry-after': '2' } },
      { status: 500, body: 'x'.repeat(10_000) },
    );
    await createPost(server.api, account.owner.accessToken, { accountId: account.id });
    await waitFor(() => receiver.received.length >= 2, 'the second attempt', 20_000);
    const [first, second] = receiver.received;
    expect(second.timestamp - first.timestamp).toBeGreaterThanOrEqual(2);
    let log = await deliveries(account, base);
    expect(log[0]).toMatchObject({ status: 'pending', attempts: 2, responseStatus: 500 });
    expect(log[0].responseBody).toHaveLength(4096);
    expect(log[0].nextAttemptAt).not.toBeNull();

    await waitFor(() => receiver.received.length >= 3, 'the third attempt', 20_000);
    expect(new Set(receiver.received.map(({ id }) => id)).size).toBe(1);
    expect(new Set(receiver.received.map(({ raw }) => raw)).size).toBe(1);
    for (const request of receiver.received) {
      expect(verify(request, secret)).toEqual(first.body);
    }
    await waitFor(async () => (await deliveries(account, base))[0].status === 'succeeded', 'success');
    log = await deliveries(account, base);
    expect(log[0]).toMatchObject({ attempts: 3, responseStatus: 204, nextAttemptAt: null });
  });

  it('gives up when the schedule runs out; the retry route makes one attempt more', async () => {
    const { account, base } = await registered(['post.created']);
    receiver.answerWith({ status: 500 }, { status: 500 }, { status: 500 });
    await createPost(server.api, account.owner.accessToken, { accountId: account.id });
    await waitFor(async () => (await deliveries(account, base))[0]?.status === 'failed', 'failure', 20_000);
    const [failed] = await deliveries(account, base);
    expect(failed).toMatchObject({ attempts: 3, nextAttemptAt: null, responseStatus: 500 });
    expect(receiver.received).toHaveLength(3);

    const retried = await server.api.post(`${base}/deliveries/${failed.id}/retry`, undefined, {
      token: account.admin.accessToken,
    });
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'pending' });
    await waitFor(async () => (await deliveries(account, base))[0].status === 'succeeded', 'the retry');
    expect((await deliveries(account, base))[0]).toMatchObject({ attempts: 4, responseStatus: 204 });
    expect(new Set(receiver.received.map(({ id }) => id)).size).toBe(1);

    const unknown = await server.api.post(`${base}/deliveries/${account.id}/retry`, undefined, {
      token: account.owner.accessToken,
    });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'WEBHOOK_DELIVERY_NOT_FOUND' } });
  });

  it('disables an endpoint that answers 410, delivers nothing more, and is enabled again by a PATCH', async () => {
    const { account, base } = await registered(['post.created']);
    receiver.answerWith({ status: 410 });
    const token = account.owner.accessToken;
    await createPost(server.api, token, { accountId: account.id });
    await waitFor(async () => (await server.api.get(base, { token })).body.enabled === false, 'disabling');
    const disabled = await server.api.get(base, { token });
    expect(disabled.body.disabledReason).toMatch(/410/);
    expect((await deliveries(account, base))[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      responseStatus: 410,
    });

    await createPost(server.api, token, { accountId: account.id });
    const [failedDelivery] = await deliveries(account, base);
    const refused = await server.api.post(`${base}/deliveries/${failedDelivery.id}/retry`, undefined, {
      token,
    });
    expect(refused).toMatchObject({ status: 409, body: { code: 'WEBHOOK_DISABLED' } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received).toHaveLength(1);

    const enabled = await server.api.patch(base, { enabled: true }, { token });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
    await createPost(server.api, token, { accountId: account.id });
    await waitFor(() => receiver.received.length >= 2, 'a delivery after re-enabling');
  });

  it('signs with both secrets for a day after a rotation, then with the new one alone', async () => {
    const { account, id, secret: old, base } = await registered(['post.created']);
    const rotated = await server.api.post(`${base}/rotate-secret`, undefined, {
      token: account.admin.accessToken,
    });
    expect(rotated.status).toBe(200);
    const { secret: fresh, previousSecretExpiresAt } = rotated.body;
    expect(fresh).not.toBe(old);
    const overlapMs = Date.parse(previousSecretExpiresAt) - Date.now();
    expect(overlapMs).toBeGreaterThan(23.9 * 3600_000);
    expect(overlapMs).toBeLessThanOrEqual(24 * 3600_000);

    await createPost(server.api, account.owner.accessToken, { accountId: account.id });
    await waitFor(() => receiver.received.length >= 1, 'a delivery in the overlap');
    const [during] = receiver.received;
    expect(during.signatures).toHaveLength(2);
    expect(verify(during, fresh)).toEqual(during.body);
    expect(verify(during, old)).toEqual(during.body);

    await server.app.get(PrismaService).webhookEndpoint.update({
      where: { id },
      data: { previousSecretExpiresAt: new Date(Date.now() - 1000) },
    });
    await createPost(server.api, account.owner.accessToken, { accountId: account.id });
    await waitFor(() => receiver.received.length >= 2, 'a delivery after the overlap');
    const after = receiver.received[1];
    expect(after.signatures).toHaveLength(1);
    expect(verify(after, fresh)).toEqual(after.body);
    expect(() => verify(after, old)).toThrow();
  });

  it('sends a test ping to the endpoint alone', async () => {
    const { account, id, secret, base } = await registered(['post.deleted']);
    const ping = await server.api.post(`${base}/test`, undefined, { token: account.owner.accessToken });
    expect(ping.status).toBe(202);
    expect(ping.body).toMatchObject({ eventType: 'webhook.test', status: 'pending', attempts: 0 });
    await waitFor(() => receiver.received.length >= 1, 'the ping');
    const [request] = receiver.received;
    expect(verify(request, secret)).toEqual({
      type: 'webhook.test',
      timestamp: expect.any(String),
      data: { webhookId: id },
    });
    expect(request.id).toBe(`msg_${ping.body.eventId}`);
  });

  it('lets OWNER and ADMIN manage webhooks; a MEMBER gets 403, anyone else 404', async () => {
    const { account, id, base } = await registered();
    const other = await registered(ALL_EVENTS);
    const stranger = await registerUser(server.api);
    const routes: [string, string, unknown?][] = [
      ['POST', `/v1/accounts/${account.id}/webhooks`, { url: receiver.url(), events: ['post.created'] }],
      ['GET', `/v1/accounts/${account.id}/webhooks`],
      ['GET', base],
      ['PATCH', base, { description: 'changed' }],
      ['POST', `${base}/rotate-secret`],
      ['POST', `${base}/test`],
      ['GET', `${base}/deliveries`],
      ['POST', `${base}/deliveries/${id}/retry`],
      ['DELETE', base],
    ];
    for (const [method, path, body] of routes) {
      const asMember = await server.api.request(method, path, { body, token: account.member.accessToken });
      expect({ method, path, status: asMember.status, code: asMember.body?.code }).toEqual({
        method,
        path,
        status: 403,
        code: 'ACCOUNT_ROLE_REQUIRED',
      });
      const asStranger = await server.api.request(method, path, { body, token: stranger.accessToken });
      expect({ method, path, status: asStranger.status, code: asStranger.body?.code }).toEqual({
        method,
        path,
        status: 404,
        code: 'ACCOUNT_NOT_FOUND',
      });
      const anonymous = await server.api.request(method, path, { body });
      expect(anonymous.status).toBe(401);
    }
    // Another account's endpoint, under an account the caller manages: as if it did not exist.
    const foreign = `/v1/accounts/${account.id}/webhooks/${other.id}`;
    for (const [method, path] of [
      ['GET', foreign],
      ['PATCH', foreign],
      ['DELETE', foreign],
      ['POST', `${foreign}/rotate-secret`],
      ['POST', `${foreign}/test`],
      ['GET', `${foreign}/deliveries`],
    ]) {
      const response = await server.api.request(method, path, {
        body: method === 'PATCH' ? { enabled: false } : undefined,
        token: account.owner.accessToken,
      });
      expect({ path, status: response.status, code: response.body.code }).toEqual({
        path,
        status: 404,
        code: 'WEBHOOK_NOT_FOUND',
      });
    }
    expect(
      (
        await server.api.get(`/v1/accounts/${other.account.id}/webhooks/${other.id}`, {
          token: other.account.owner.accessToken,
        })
      ).body.enabled,
    ).toBe(true);

    const list = await server.api.get(`/v1/accounts/${account.id}/webhooks`, {
      token: account.admin.accessToken,
    });
    expect(list.body.data.map((webhook: { id: string }) => webhook.id)).toEqual([id]);
    expect(list.body.data[0]).not.toHaveProperty('secret');
    expect((await server.api.delete(base, { token: account.admin.accessToken })).status).toBe(204);
    expect((await server.api.get(base, { token: account.owner.accessToken })).status).toBe(404);
  });

  it('refuses bad input with a problem and writes nothing', async () => {
    const account = await createAccountWithMembers(server.api);
    const token = account.owner.accessToken;
    const path = `/v1/accounts/${account.id}/webhooks`;
    const cases: [unknown, string, string][] = [
      [{ url: 'ftp://example.com/hook', events: ['post.created'] }, 'WEBHOOK_URL_REFUSED', 'url'],
      [{ url: 'not a url', events: ['post.created'] }, 'WEBHOOK_URL_REFUSED', 'url'],
      [{ url: 'http://user:pw@127.0.0.1/hook', events: ['post.created'] }, 'WEBHOOK_URL_REFUSED', 'url'],
      [{ url: receiver.url(), events: ['post.sold'] }, 'VALIDATION_FAILED', 'events'],
      [{ url: receiver.url(), events: [] }, 'VALIDATION_FAILED', 'events'],
    ];
    for (const [body, code, field] of cases) {
      const response = await server.api.post(path, body, { token, invalid: `bad webhook: ${code}` });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe(code);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
    expect((await server.api.get(path, { token })).body.data).toEqual([]);
  });

  it('counts attempts, failures and their latency in /metrics', async () => {
    const sample = async (name: string): Promise<number> => {
      const text = (await server.api.get('/metrics', { token: METRICS_TOKEN })).text;
      const line = text.split('\n').find((row) => row.startsWith(`${name} `));
      return line ? Number(line.split(' ')[1]) : 0;
    };
    const before = {
      succeeded: await sample('webhook_deliveries_total{outcome="succeeded"}'),
      failed: await sample('webhook_deliveries_total{outcome="http_error"}'),
      timed: await sample('webhook_delivery_duration_seconds_count{outcome="http_error"}'),
    };
    const { account } = await registered(['post.created']);
    receiver.answerWith({ status: 500 });
    await createPost(server.api, account.owner.accessToken, { accountId: account.id });
    await waitFor(() => receiver.received.length >= 2, 'a failure and a success');
    await waitFor(
      async () => (await sample('webhook_deliveries_total{outcome="succeeded"}')) === before.succeeded + 1,
      'the success counted',
    );
    expect(await sample('webhook_deliveries_total{outcome="http_error"}')).toBe(before.failed + 1);
    expect(await sample('webhook_delivery_duration_seconds_count{outcome="http_error"}')).toBe(
      before.timed + 1,
    );
  });
});

describe('webhooks across a worker restart', () => {
  it('loses no event when the worker stops in the middle of a delivery and starts again', async () => {
    const database = await createTestDatabase();
    const receiver = await WebhookReceiver.start();
    let second: Awaited<ReturnType<typeof startServer>> | undefined;
    try {
      const first = await startServer({ ...database.settings, ...SETTINGS });
      const account = await createAccountWithMembers(first.api);
      const created = await first.api.post(
        `/v1/accounts/${account.id}/webhooks`,
        { url: receiver.url(), events: ['post.created'] },
        { token: account.owner.accessToken },
      );
      receiver.answerWith('hang');
      await createPost(first.api, account.owner.accessToken, { accountId: account.id });
      await waitFor(() => receiver.received.length >= 1, 'the attempt that hangs');
      await first.app.close(); // hands the running attempt back to the queue

      second = await startServer({ ...database.settings, ...SETTINGS });
      await waitFor(() => receiver.received.length >= 2, 'the attempt after the restart', 20_000);
      const [stopped, resumed] = receiver.received;
      expect(resumed.id).toBe(stopped.id);
      expect(verify(resumed, created.body.secret)).toEqual(stopped.body);
      const base = `/v1/accounts/${account.id}/webhooks/${created.body.id}`;
      await waitFor(
        async () =>
          (await second!.api.get(`${base}/deliveries`, { token: account.owner.accessToken })).body.data[0]
            ?.status === 'succeeded',
        'the delivery to succeed',
      );
      const log = await second.api.get(`${base}/deliveries`, { token: account.owner.accessToken });
      expect(log.body.data).toHaveLength(1);
      expect(log.body.data[0]).toMatchObject({ attempts: 1, responseStatus: 204 });
    } finally {
      await second?.app.close();
      await receiver.close();
      await database.drop();
    }
  }, 60_000); // two servers start, one after the other
});
