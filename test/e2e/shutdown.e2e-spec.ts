import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import pg from 'pg';

import { connectionOptions } from '@/database/pg-connection';

import { createPost } from '../factories/posts';
import { registerUser } from '../factories/users';
import { ApiClient } from '../helpers/api-client';
import { ServerProcess, startServerProcess } from '../helpers/processes';
import { connectRealtime, disconnection, Inbox } from '../helpers/realtime-client';
import { createTestDatabase, serverUrl, TestDatabase } from '../helpers/test-database';

// Real processes start here (seconds each on a busy machine): past the suite's 15 s default.
jest.setTimeout(120_000);

const GRACE_MS = 8000;

/** The real server (src/main.ts) in a process of its own, as `npm start` runs it. */
function startProcess(database: TestDatabase): Promise<ServerProcess> {
  return startServerProcess({ ...database.settings, SHUTDOWN_GRACE_MS: String(GRACE_MS) });
}

interface Answer {
  status: number;
  connection: string | undefined;
}

function send(agent: http.Agent, port: number, method: string, url: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method,
        path: url,
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
          : {},
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode!, connection: response.headers.connection }),
        );
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

describe('shutdown', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('tells realtime clients to reconnect elsewhere and closes their connections, without waiting for the grace', async () => {
    const { child, port } = await startProcess(database);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = `http://127.0.0.1:${port}`;
      const user = await registerUser(new ApiClient(url));
      const inboxes = await Promise.all(
        Array.from({ length: 3 }, async () => new Inbox(await connectRealtime(url, user.accessToken))),
      );
      const reasons = Promise.all(inboxes.map((inbox) => disconnection(inbox.socket, GRACE_MS)));
      const signalledAt = Date.now();
      child.kill('SIGTERM');
      // A transport close, not a server disconnect: Socket.IO clients reconnect by themselves.
      expect(await reasons).toEqual(['transport close', 'transport close', 'transport close']);
      for (const inbox of inboxes) {
        expect(inbox.of('server.shutdown')).toEqual([{ reconnectAfterMs: expect.any(Number) }]);
      }
      expect(await exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(GRACE_MS / 2);
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
      }
    }
  });

  it('finishes the requests in flight on kept-alive connections, closes them and exits 0 within the grace', async () => {
    const { child, port, output } = await startProcess(database);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const api = new ApiClient(`http://127.0.0.1:${port}`);
      const user = await registerUser(api);
      const post = await createPost(api, user.accessToken);

      const agent = new http.Agent({ keepAlive: true, maxSockets: 40 });
      // 40 kept-alive connections, each idle between requests.
      const warm = await Promise.all(
        Array.from({ length: 40 }, () => send(agent, port, 'GET', '/health/live')),
      );
      expect(warm.every((answer) => answer.status === 200)).toBe(true);
      const sockets = Object.values(agent.freeSockets).flat();
      expect(sockets.length).toBe(40);
      const closed = sockets.map(
        (socket) => new Promise<void>((resolve) => socket!.once('close', () => resolve())),
      );

      // Then 40 requests at once, one per connection (logins hash a password: they take a while).
      const inFlight = Array.from({ length: 40 }, (_, index) =>
        index % 2 === 0
          ? send(agent, port, 'POST', '/v1/auth/login', { email: user.email, password: user.password })
          : send(agent, port, 'GET', `/v1/posts/${post.id}`),
      );
      await sleep(5);
      const signalledAt = Date.now();
      child.kill('SIGTERM');

      const answers = await Promise.all(inFlight);
      expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 40 }, () => 200));
      await Promise.all(closed); // the server closed every kept-alive connection
      expect(await exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(GRACE_MS);
      expect(output()).toMatch(/SIGTERM: shutting down/);
      expect(output()).toMatch(/Shutdown complete in \d+ ms/);
      agent.destroy();

      if (serverUrl()) {
        // No session of the server is left behind on the database.
        const client = new pg.Client(connectionOptions(database.url));
        await client.connect();
        try {
          let left = -1;
          for (let attempt = 0; attempt < 20 && left !== 0; attempt += 1) {
            const { rows } = await client.query<{ count: string }>(
              'SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
            );
            left = Number(rows[0].count);
            await sleep(100);
          }
          expect(left).toBe(0);
        } finally {
          await client.end();
        }
      }
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
      }
    }
  });
});
