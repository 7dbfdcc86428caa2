import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';

import { AuthService } from '@/modules/auth/auth.service';

import { createAccountWithMembers, createApiKey } from '../factories/accounts';
import { createPost } from '../factories/posts';
import { type RegisteredUser, registerUser } from '../factories/users';
import { useTestApp } from '../helpers/test-app';

// Real processes start here (seconds each on a busy machine): past the suite's 15 s default.
jest.setTimeout(120_000);

const MB = 1024 * 1024;

/** The test servers' BODY_LIMIT is the default, 1 MB. */
const OVERSIZED = 5 * MB;

describe('HTTP edges', () => {
  // The test client is the trusted proxy: its X-Forwarded-Proto says how the request came.
  const server = useTestApp({ TRUST_PROXY: 'true' });

  describe('Content-Security-Policy', () => {
    const upgrade = /(^|;)\s*upgrade-insecure-requests/;

    it('does not ask a browser on plain http to upgrade its requests (/docs would be blank)', async () => {
      for (const path of ['/docs', '/health/live']) {
        const response = await fetch(new URL(path, server.api.baseUrl));
        expect(response.status).toBe(200);
        const policy = response.headers.get('content-security-policy');
        expect(policy).toContain("default-src 'self'");
        expect(policy).not.toMatch(upgrade);
      }
    });

    it('asks for upgrades over https, as a trusted proxy says (TRUST_PROXY=true)', async () => {
      const url = new URL('/health/live', server.api.baseUrl);
      const secure = await fetch(url, { headers: { 'x-forwarded-proto': 'https' } });
      expect(secure.headers.get('content-security-policy')).toMatch(upgrade);
      const plain = await fetch(url, { headers: { 'x-forwarded-proto': 'http' } });
      expect(plain.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(plain.headers.get('content-security-policy')).not.toMatch(upgrade);
    });
  });

  describe('a body over BODY_LIMIT', () => {
    /**
     * Node's fetch in a process of its own, uploading `total` bytes of JSON in 64 KiB chunks; after
     * 256 KiB it is busy for a while (reading nothing), so a server that answers and closes meanwhile
     * resets the connection before the client has read the answer. Prints the outcome as JSON.
     */
    const UPLOADER = `
      const [url, total, declared] = process.argv.slice(1);
      const head = Buffer.from('{"email":"a@example.com","password":"');
      let sent = 0;
      const body = new ReadableStream({
        pull(controller) {
          if (sent === 0) controller.enqueue(head);
          if (sent === 256 * 1024) for (const until = Date.now() + 300; Date.now() < until; );
          if (sent >= Number(total)) {
            controller.enqueue(Buffer.from('"}'));
            controller.close();
            return;
          }
          const size = Math.min(64 * 1024, Number(total) - sent);
          controller.enqueue(Buffer.alloc(size, 'x'));
          sent += size;
        },
      });
      const headers = { 'content-type': 'application/json' };
      if (declared === 'true') headers['content-length'] = String(head.length + Number(total) + 2);
      try {
        const response = await fetch(url, { method: 'POST', headers, body, duplex: 'half' });
        const text = await response.text();
        console.log(JSON.stringify({ status: response.status, type: response.headers.get('content-type'), text }));
      } catch (error) {
        console.log(JSON.stringify({ error: String(error.cause?.code ?? error.cause?.message ?? error) }));
      }
    `;

    async function upload(
      declared: boolean,
    ): Promise<{ status?: number; type?: string; text?: string; error?: string }> {
      const url = new URL('/v1/auth/login', server.api.baseUrl).href;
      const child = spawn(
        process.execPath,
        ['--input-type=module', '-e', UPLOADER, url, String(OVERSIZED), String(declared)],
        { env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await once(child, 'close');
      return JSON.parse(output) as { status?: number; type?: string; text?: string; error?: string };
    }

    it.each([
      ['declared (Content-Length)', true],
      ['chunked', false],
    ])("reaches Node's fetch as a 413 problem document, its length %s", async (_label, declared) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const outcome = await upload(declared);
        expect(outcome.error).toBeUndefined();
        expect(outcome.status).toBe(413);
        expect(outcome.type).toMatch(/^application\/problem\+json/);
        expect(JSON.parse(outcome.text!)).toMatchObject({
          status: 413,
          code: 'PAYLOAD_TOO_LARGE',
          instance: '/v1/auth/login',
        });
      }
      // The server still answers.
      expect((await server.api.get('/health/live')).status).toBe(200);
    });

    it('is not waited for past its bound: a declared 1 GB is refused at once', async () => {
      const url = new URL(server.api.baseUrl);
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () => {
          socket.write(
            'POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
              `Content-Length: ${1024 * MB}\r\n\r\n{"email":`,
          );
        });
        let received = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (received += chunk));
        socket.on('close', () => resolve(received));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(answer).toContain('"code":"PAYLOAD_TOO_LARGE"');
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });

  describe('percent-encoding of the query string', () => {
    let admin: RegisteredUser;

    beforeAll(async () => {
      admin = await registerUser(server.api);
      await server.app.get(AuthService).promoteAdmin(admin.email);
    });

    it.each(['/v1/posts?q=%FF', '/v1/posts?city=%C3%28', '/v1/posts?q=%zz', '/v1/users?q=%FF'])(
      'refuses %s (not UTF-8) with 400 INVALID_URL',
      async (path) => {
        const response = await server.api.get(path, {
          token: admin.accessToken,
          invalid: 'a query that is not UTF-8',
        });
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(response.body).toMatchObject({
          status: 400,
          code: 'INVALID_URL',
          instance: path.split('?')[0],
        });
      },
    );

    it('reads a valid encoding, in the query as in the path', async () => {
      const posts = await server.api.get('/v1/posts?q=%C3%A9');
      expect(posts.status).toBe(200);
      const users = await server.api.get(`/v1/users?q=${encodeURIComponent('é ü')}`, {
        token: admin.accessToken,
      });
      expect(users.status).toBe(200);
    });
  });

  describe('credentials on public reads', () => {
    let paths: string[];
    let key: string;

    beforeAll(async () => {
      const user = await registerUser(server.api);
      const post = await createPost(server.api, user.accessToken);
      await server.api.put('/v1/users/me/profile', { bio: 'Hello' }, { token: user.accessToken });
      paths = [
        '/v1/posts',
        `/v1/posts/${post.id}`,
        `/v1/users/${user.id}`,
        `/v1/users/${user.id}/profile`,
        `/v1/users/${user.id}/posts`,
      ];
      const account = await createAccountWithMembers(server.api);
      key = await createApiKey(server.api, account.id, account.owner.accessToken, ['posts:read']);
    });

    it('answers every public read without a credential', async () => {
      for (const path of paths) {
        expect([path, (await server.api.get(path)).status]).toEqual([path, 200]);
      }
    });

    it('judges a bad API key as a bad bearer token: 401 on every public read', async () => {
      for (const path of paths) {
        const bearer = await server.api.get(path, { headers: { authorization: 'Bearer garbage' } });
        expect([path, bearer.status]).toEqual([path, 401]);
        const apiKey = await server.api.get(path, {
          headers: { 'x-api-key': 'garbage' },
          invalid: 'a garbage API key',
        });
        expect([path, apiKey.status, apiKey.body.code]).toEqual([path, 401, 'INVALID_API_KEY']);
      }
    });

    it('serves every public read to a valid API key', async () => {
      for (const path of paths) {
        const response = await server.api.get(path, {
          headers: { 'x-api-key': key },
          invalid: 'an API key where the document lists none',
        });
        expect([path, response.status]).toEqual([path, 200]);
      }
    });
  });
});
