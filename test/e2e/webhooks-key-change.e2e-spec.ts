import { createAccountWithMembers } from '../factories/accounts';
import { ApiClient } from '../helpers/api-client';
import { startServer } from '../helpers/test-app';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { JOB_SETTINGS } from '../helpers/test-queues';
import { waitFor } from '../helpers/wait-for';
import { verify, WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * WEBHOOK_SECRET_KEY changes (development generates one per start unless it is kept): the endpoints'
 * secrets sealed under the old key cannot be opened, deliveries fail with "Rotate it", and one rotation
 * repairs the endpoint at once (before: the unreadable previous secret failed every delivery of the
 * 24-hour overlap).
 */
const SETTINGS = {
  ...JOB_SETTINGS,
  WEBHOOK_RETRY_SCHEDULE_S: '0',
  JWT_SECRET: 'test-jwt-secret-shared-by-instances-0123456789',
};
const FIRST_KEY = 'test-webhook-secret-key-first-0123456789';
const SECOND_KEY = 'test-webhook-secret-key-second-012345678';

describe('webhooks after WEBHOOK_SECRET_KEY changed', () => {
  let database: TestDatabase;
  let receiver: WebhookReceiver;
  let running: Awaited<ReturnType<typeof startServer>> | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await running?.app.close();
    await receiver?.close();
    await database?.drop();
  });

  async function start(key: string): Promise<ApiClient> {
    await running?.app.close();
    running = await startServer({ ...database.settings, ...SETTINGS, WEBHOOK_SECRET_KEY: key });
    return running.api;
  }

  it('fails deliveries until one rotation, then signs with the new secret alone', async () => {
    let api = await start(FIRST_KEY);
    const account = await createAccountWithMembers(api);
    const created = await api.post(
      `/v1/accounts/${account.id}/webhooks`,
      { url: receiver.url(), events: ['post.created'] },
      { token: account.owner.accessToken },
    );
    expect(created.status).toBe(201);
    const base = `/v1/accounts/${account.id}/webhooks/${created.body.id}`;
    const token = account.owner.accessToken;

    /** A test ping, and its delivery once it is no longer pending. */
    const ping = async (): Promise<Record<string, unknown>> => {
      const sent = await api.post(`${base}/test`, undefined, { token });
      expect(sent.status).toBe(202);
      let delivery: Record<string, unknown> | undefined;
      await waitFor(async () => {
        const log = await api.get(`${base}/deliveries`, { token });
        delivery = (log.body.data as Record<string, unknown>[]).find((d) => d.eventId === sent.body.eventId);
        return delivery !== undefined && delivery.status !== 'pending';
      }, 'the ping to be attempted');
      return delivery!;
    };

    api = await start(SECOND_KEY);
    expect(await ping()).toMatchObject({ status: 'failed', error: expect.stringMatching(/Rotate it\.$/) });
    expect(receiver.received).toHaveLength(0);

    const rotated = await api.post(`${base}/rotate-secret`, undefined, { token });
    expect(rotated.status).toBe(200);
    expect(await ping()).toMatchObject({ status: 'succeeded', error: null });
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request.signatures).toHaveLength(1);
    expect(verify(request, rotated.body.secret)).toMatchObject({ type: 'webhook.test' });
    expect(() => verify(request, created.body.secret)).toThrow();
  });
});
