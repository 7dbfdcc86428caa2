import { setTimeout as sleep } from 'node:timers/promises';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import type { Socket } from 'socket.io-client';

import { createChat, sendMessage } from '../factories/chats';
import { type RegisteredUser, registerUser } from '../factories/users';
import type { ApiClient } from '../helpers/api-client';
import { connectRealtime, disconnection, dropAndReconnect, Inbox } from '../helpers/realtime-client';
import { createSharedDatabase, type SharedDatabase } from '../helpers/shared-database';
import { startServer } from '../helpers/test-app';
import { dropKeys, inspectRedis, keysUnder, testRedisPrefix, testRedisUrl } from '../helpers/test-redis';

/**
 * Two instances of the service on one database and one Redis, as behind a load balancer: an event
 * emitted on one reaches sockets on the other, a session ended on one disconnects its sockets on the
 * other, and a client that drops and comes back on the other instance recovers what it missed.
 */
const PREFIX = testRedisPrefix('realtime-instances');

interface Instance {
  app: NestFastifyApplication;
  api: ApiClient;
  url: string;
}

let database: SharedDatabase;
let inspect: Redis;
let a: Instance;
let b: Instance;
const sockets: Socket[] = [];

async function connect(
  instance: Instance,
  user: RegisteredUser,
  reconnectionDelayMs?: number,
): Promise<Inbox> {
  const socket = await connectRealtime(instance.url, user.accessToken, { reconnectionDelayMs });
  sockets.push(socket);
  return new Inbox(socket);
}

beforeAll(async () => {
  database = await createSharedDatabase();
  inspect = inspectRedis();
  const settings = {
    ...database.database.settings,
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: PREFIX,
    JWT_SECRET: 'the-same-secret-on-every-instance-0123456789',
  };
  for (const name of ['a', 'b'] as const) {
    const started = await startServer(settings);
    const instance = { ...started, url: await started.app.getUrl() };
    if (name === 'a') {
      a = instance;
    } else {
      b = instance;
    }
  }
});

afterEach(() => {
  for (const socket of sockets.splice(0)) {
    socket.close();
  }
});

afterAll(async () => {
  await a?.app.close();
  await b?.app.close();
  await database?.drop();
  if (inspect) {
    await dropKeys(inspect, PREFIX);
    await inspect.quit();
  }
});

describe('realtime across two instances on one Redis', () => {
  it('delivers an event emitted on one instance to sockets on the other, once each', async () => {
    const [alice, bob, carol] = await Promise.all([1, 2, 3].map(() => registerUser(a.api)));
    const chat = await createChat(a.api, alice, [bob]);
    const [onA, onB, outsider] = [await connect(a, alice), await connect(b, bob), await connect(b, carol)];
    const sent = await sendMessage(a.api, chat.id, alice, 'from instance A');
    expect(await onB.next('message.created')).toEqual([{ chatId: chat.id, message: sent }]);
    await onA.next('message.created');
    await sleep(150);
    expect(onB.of('message.created')).toHaveLength(1);
    expect(onA.of('message.created')).toHaveLength(1);
    expect(outsider.of('message.created')).toEqual([]);
    // The events went through the stream under the prefix.
    expect(await keysUnder(inspect, `${PREFIX}realtime`)).toContain(`${PREFIX}realtime`);
  });

  it('disconnects, on the other instance, the socket of a session ended on one', async () => {
    const bob = await registerUser(a.api);
    const onB = await connect(b, bob);
    const gone = disconnection(onB.socket);
    expect((await a.api.post('/v1/auth/logout', undefined, { token: bob.accessToken })).status).toBe(204);
    expect(await gone).toBe('io server disconnect');
    expect(onB.of('session.ended')).toEqual([{ reason: 'SESSION_ENDED' }]);
  });

  it('lets a client that dropped off one instance recover, on the other, what it missed', async () => {
    const [alice, bob] = await Promise.all([1, 2].map(() => registerUser(a.api)));
    const chat = await createChat(a.api, alice, [bob]);
    // The client's manager reconnects to the URL it was given: point it at B for the retry, as a
    // load balancer would send it anywhere.
    const inbox = await connect(a, bob, 300);
    await inbox.next('session.ready');
    (inbox.socket.io as unknown as { uri: string }).uri = b.url;
    const recovered = await dropAndReconnect(inbox.socket, async () => {
      await sendMessage(a.api, chat.id, alice, 'while you were away');
    });
    expect(recovered).toBe(true);
    const [missed] = await inbox.next('message.created');
    expect(missed).toMatchObject({ chatId: chat.id, message: { text: 'while you were away' } });
  });
});
