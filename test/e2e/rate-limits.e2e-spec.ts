import { registerUser } from '../factories/users';
import { useTestApp } from '../helpers/test-app';

describe('rate limits', () => {
  describe('failed logins', () => {
    const server = useTestApp({
      TRUST_PROXY: 'true', // each test speaks from addresses of its own (X-Forwarded-For)
      LOGIN_FAILURE_LIMIT: '3',
      LOGIN_ACCOUNT_FAILURE_LIMIT: '6',
      LOGIN_ADDRESS_FAILURE_LIMIT: '20',
      LOGIN_FAILURE_WINDOW_MS: '60000',
    });

    const login = (email: string, password: string, from: string) =>
      server.api.post('/v1/auth/login', { email, password }, { headers: { 'x-forwarded-for': from } });

    it('refuses an address for an account after too many failures, even with the right password, and says when to retry', async () => {
      const user = await registerUser(server.api);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expect((await login(user.email, 'wrong-password', '198.51.100.1')).status).toBe(401);
      }
      const blocked = await login(user.email, user.password, '198.51.100.1');
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another address is not concerned: the owner logs in from theirs.
      expect((await login(user.email, user.password, '198.51.100.2')).status).toBe(200);
    });

    it('lets the owner log in from their own address while an attacker guesses from many', async () => {
      const victim = await registerUser(server.api);
      for (const attacker of ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4']) {
        for (let attempt = 0; attempt < 3; attempt += 1) {
          expect([401, 429]).toContain((await login(victim.email, 'guess', attacker)).status);
        }
      }
      // Eight failures and more: the account is over its limit, so its attempts are slowed, not refused.
      const owner = await login(victim.email, victim.password, '192.0.2.10');
      expect(owner.status).toBe(200);
    });

    it('answers alike for known and unknown accounts, failing and limited', async () => {
      const user = await registerUser(server.api);
      const unknown = `nobody-${user.username}@example.com`;
      const shape = (response: { status: number; body: Record<string, unknown> }) => ({
        status: response.status,
        code: response.body.code,
        title: response.body.title,
        detail: response.body.detail,
        type: response.body.type,
      });
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const known = await login(user.email, 'wrong-password', '198.51.100.20');
        const other = await login(unknown, 'wrong-password', '198.51.100.21');
        expect(shape(other)).toEqual(shape(known));
        expect(known.status).toBe(401);
      }
      const knownLimited = await login(user.email, 'wrong-password', '198.51.100.20');
      const otherLimited = await login(unknown, 'wrong-password', '198.51.100.21');
      expect(knownLimited.status).toBe(429);
      expect(shape(otherLimited)).toEqual(shape(knownLimited));
    });

    it('refuses an address that fails for many accounts, and only that address', async () => {
      const user = await registerUser(server.api);
      for (let attempt = 0; attempt < 20; attempt += 1) {
        expect((await login(`spray-${attempt}@example.com`, 'x', '198.51.100.30')).status).toBe(401);
      }
      expect((await login(user.email, user.password, '198.51.100.30')).status).toBe(429);
      expect((await login(user.email, user.password, '198.51.100.31')).status).toBe(200);
    });
  });

  describe('failed logins behind no trusted proxy', () => {
    const server = useTestApp({ LOGIN_ADDRESS_FAILURE_LIMIT: '3', LOGIN_FAILURE_WINDOW_MS: '60000' });

    it('is not reset by an X-Forwarded-For header from an untrusted peer', async () => {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const response = await server.api.post('/v1/auth/login', {
          email: `x${attempt}@example.com`,
          password: 'x',
        });
        expect(response.status).toBe(401);
      }
      const blocked = await server.api.post(
        '/v1/auth/login',
        { email: 'someone-else@example.com', password: 'x' },
        { headers: { 'x-forwarded-for': '203.0.113.9' } },
      );
      // The address (127.0.0.1) already failed three times: still refused, whatever it claims.
      expect(blocked.status).toBe(429);
    });
  });

  describe('registration', () => {
    const server = useTestApp({ AUTH_THROTTLE_LIMIT: '2', AUTH_THROTTLE_TTL_MS: '60000' });

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
    const server = useTestApp({ THROTTLE_LIMIT: '3', THROTTLE_TTL_MS: '60000' });

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
