import { registerUser } from '../factories/users';
import { startTestApp, TestApp } from '../helpers/test-app';

describe('rate limits', () => {
  describe('failed logins', () => {
    let server: TestApp;

    beforeAll(async () => {
      server = await startTestApp({ LOGIN_FAILURE_LIMIT: '3', LOGIN_FAILURE_WINDOW_MS: '60000' });
    });

    afterAll(async () => {
      await server.close();
    });

    it('blocks an account after too many failures, even with the right password, and says when to retry', async () => {
      const user = await registerUser(server.api);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const response = await server.api.post('/v1/auth/login', {
          email: user.email,
          password: 'wrong-password',
        });
        expect(response.status).toBe(401);
      }
      const blocked = await server.api.post('/v1/auth/login', { email: user.email, password: user.password });
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('is not reset by an X-Forwarded-For header from an untrusted peer', async () => {
      const user = await registerUser(server.api);
      const blocked = await server.api.post(
        '/v1/auth/login',
        { email: 'someone-else@example.com', password: 'x' },
        { headers: { 'x-forwarded-for': '203.0.113.9' } },
      );
      // The address (127.0.0.1) already failed three times above: still blocked, whatever it claims.
      expect(blocked.status).toBe(429);
      expect(user.id).toBeDefined();
    });
  });

  describe('registration', () => {
    let server: TestApp;

    beforeAll(async () => {
      server = await startTestApp({ AUTH_THROTTLE_LIMIT: '2', AUTH_THROTTLE_TTL_MS: '60000' });
    });

    afterAll(async () => {
      await server.close();
    });

    it('limits registrations per address with 429 and Retry-After', async () => {
      await registerUser(server.api);
      await registerUser(server.api);
      const third = await server.api.post('/v1/auth/register', {
        email: 'third@example.com',
        username: 'third_user',
        password: 'long-enough-password',
      });
      expect(third.status).toBe(429);
      expect(third.body.code).toBe('RATE_LIMITED');
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  describe('every route', () => {
    let server: TestApp;

    beforeAll(async () => {
      server = await startTestApp({ THROTTLE_LIMIT: '3', THROTTLE_TTL_MS: '60000' });
    });

    afterAll(async () => {
      await server.close();
    });

    it('counts requests per route and address, says what is left, and answers 429 past the limit', async () => {
      for (let request = 0; request < 3; request += 1) {
        const page = await server.api.get('/v1/posts');
        expect(page.status).toBe(200);
        expect(page.headers.get('x-ratelimit-limit')).toBe('3');
        expect(page.headers.get('x-ratelimit-remaining')).toBe(String(2 - request));
        expect(Number(page.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
      }
      const limited = await server.api.get('/v1/posts');
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

      const otherRoute = await server.api.get('/v1/posts/01a211c9-1ada-701a-b52d-5e455dc3d299');
      expect(otherRoute.status).toBe(404);
      expect(otherRoute.headers.get('x-ratelimit-remaining')).toBe('2');
    });

    it('leaves the health probes out', async () => {
      for (let request = 0; request < 5; request += 1) {
        const live = await server.api.get('/health/live');
        expect(live.status).toBe(200);
        expect(live.headers.get('x-ratelimit-limit')).toBeNull();
      }
    });
  });
});
