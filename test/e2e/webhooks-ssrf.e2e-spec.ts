import { PrismaService } from 'nestjs-prisma';

import { WebhookSecretBox } from '@/modules/webhooks/webhook-secrets';

import { createAccountWithMembers } from '../factories/accounts';
import { createPost } from '../factories/posts';
import { useTestApp } from '../helpers/test-app';
import { JOB_SETTINGS } from '../helpers/test-queues';
import { waitFor } from '../helpers/wait-for';
import { WebhookReceiver } from '../helpers/webhook-receiver';

/** The service as in production: https to public addresses only, checked at registration and delivery. */
describe('webhooks with WEBHOOK_ALLOW_INSECURE off', () => {
  const server = useTestApp({
    ...JOB_SETTINGS,
    WEBHOOK_ALLOW_INSECURE: 'false',
    WEBHOOK_RETRY_SCHEDULE_S: '0',
  });
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await receiver.close();
  });

  it('refuses to register targets that are not https at public addresses', async () => {
    const account = await createAccountWithMembers(server.api);
    const path = `/v1/accounts/${account.id}/webhooks`;
    const refused = [
      receiver.url(), // http
      `https://127.0.0.1:${receiver.port}/hooks`, // loopback
      'https://localhost/hooks', // a name that resolves to loopback
      'https://[::1]/hooks',
      'https://[::ffff:127.0.0.1]/hooks', // loopback, written as IPv6
      'https://10.1.2.3/hooks', // private
      'https://192.168.0.10/hooks',
      'https://169.254.169.254/latest/meta-data', // link-local: cloud metadata
      'https://0.0.0.0/hooks',
      'https://no-such-host.invalid/hooks', // does not resolve
    ];
    for (const url of refused) {
      const response = await server.api.post(
        path,
        { url, events: ['post.created'] },
        { token: account.owner.accessToken, invalid: `a refused target: ${url}` },
      );
      expect({ url, status: response.status, code: response.body.code }).toEqual({
        url,
        status: 400,
        code: 'WEBHOOK_URL_REFUSED',
      });
    }
    expect((await server.api.get(path, { token: account.owner.accessToken })).body.data).toEqual([]);
    expect(receiver.connections).toBe(0);
  });

  it('refuses at delivery a target that resolves to a private address by then, without connecting', async () => {
    const account = await createAccountWithMembers(server.api);
    // As if the name had resolved to a public address at registration and to loopback now.
    const secret = server.app.get(WebhookSecretBox).seal('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const prisma = server.app.get(PrismaService);
    for (const url of [
      `https://localhost:${receiver.port}/hooks`,
      `https://127.0.0.1:${receiver.port}/hooks`,
      receiver.url(),
    ]) {
      await prisma.webhookEndpoint.create({
        data: { accountId: account.id, url, events: ['post.created'], secret },
      });
    }
    await createPost(server.api, account.owner.accessToken, { accountId: account.id });

    const deliveries = () =>
      prisma.webhookDelivery.findMany({
        where: { endpoint: { accountId: account.id } },
        include: { endpoint: true },
      });
    await waitFor(
      async () => (await deliveries()).every((delivery) => delivery.status === 'failed'),
      'three refusals',
    );
    for (const delivery of await deliveries()) {
      expect({
        url: delivery.endpoint.url,
        attempts: delivery.attempts,
        responseStatus: delivery.responseStatus,
      }).toEqual({
        url: delivery.endpoint.url,
        attempts: 1,
        responseStatus: null,
      });
      expect(delivery.error).toMatch(/is not allowed|must be https/);
    }
    expect(receiver.connections).toBe(0);
  });
});
