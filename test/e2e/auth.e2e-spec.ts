import { randomUUID } from 'node:crypto';

import jwt from 'jsonwebtoken';
import { PrismaService } from 'nestjs-prisma';

import { AuditAction, AuditActorType, AuditTargetType } from '@/modules/audit/audit-actions';
import { AuthRepository } from '@/modules/auth/auth.repository';

import { newUserInput, registerUser } from '../factories/users';
import { useTestApp } from '../helpers/test-app';

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-signing';

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('auth', () => {
  const server = useTestApp({ JWT_SECRET: SECRET, JWT_ACCESS_TTL_SECONDS: '600' });

  describe('register', () => {
    it('creates the account with a nested profile and logs it in', async () => {
      const input = newUserInput({ email: '  Mixed.Case@Example.COM ', profile: { bio: 'Hello', age: 30 } });
      const response = await server.api.post('/v1/auth/register', input, {
        invalid: 'an email with spaces and capitals, which the server trims and lower-cases',
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body).toMatchObject({
        user: {
          email: 'mixed.case@example.com',
          username: input.username,
          role: 'USER',
          profile: { bio: 'Hello', age: 30 },
        },
        tokenType: 'Bearer',
        expiresIn: 600,
      });
      expect(response.text).not.toMatch(/password|hash/i);
      const me = await server.api.get('/v1/users/me', { token: response.body.accessToken });
      expect(me.status).toBe(200);
      expect(me.body.profile).toMatchObject({ bio: 'Hello', age: 30 });
    });

    it('refuses a taken email, whatever its case, with EMAIL_TAKEN', async () => {
      const user = await registerUser(server.api);
      const response = await server.api.post(
        '/v1/auth/register',
        newUserInput({ email: user.email.toUpperCase() }),
      );
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('EMAIL_TAKEN');
    });

    it('refuses a taken username with USERNAME_TAKEN', async () => {
      const user = await registerUser(server.api);
      const response = await server.api.post('/v1/auth/register', newUserInput({ username: user.username }));
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('USERNAME_TAKEN');
    });

    it('lets exactly one of two racing registrations of one email through', async () => {
      const email = newUserInput().email;
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => server.api.post('/v1/auth/register', newUserInput({ email }))),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409]);
      expect(responses.filter((r) => r.status === 409).every((r) => r.body.code === 'EMAIL_TAKEN')).toBe(
        true,
      );
    });

    it.each([
      ['email', { email: 'not-an-email' }],
      ['password', { password: 'short' }],
      ['password', { password: 'x'.repeat(129) }],
      ['username', { username: 'a' }],
      ['profile.age', { profile: { age: 12 } }],
      ['profile.website', { profile: { website: 'http://insecure.example.com' } }],
      ['profile.bio', { profile: { bio: 'b'.repeat(2001) } }],
    ])('names the invalid field %s', async (field, overrides) => {
      const response = await server.api.post('/v1/auth/register', newUserInput(overrides), {
        invalid: `an invalid ${field}`,
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it.each(['role', 'id', 'createdAt', 'userId'])('refuses the client-set field %s', async (field) => {
      const response = await server.api.post('/v1/auth/register', newUserInput({ [field]: 'ADMIN' }), {
        invalid: `the client-set field ${field}`,
      });
      expect(response.status).toBe(400);
      expect(response.body.errors).toContainEqual({ field, message: `${field} is not allowed` });
    });

    it('refuses a body that is not an object', async () => {
      const response = await server.api.post('/v1/auth/register', ['a'], {
        invalid: 'a body that is not an object',
      });
      expect(response.status).toBe(400);
    });
  });

  describe('login', () => {
    it('opens a new session with a token pair', async () => {
      const user = await registerUser(server.api);
      const response = await server.api.post('/v1/auth/login', {
        email: user.email.toUpperCase(),
        password: user.password,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body.user.id).toBe(user.id);
      const sessions = await server.api.get('/v1/auth/sessions', { token: response.body.accessToken });
      expect(sessions.body.data).toHaveLength(2);
    });

    it('answers the user as GET /v1/users/me shows it, with its profile or without one', async () => {
      for (const overrides of [{ profile: { bio: 'Hi', age: 41, website: 'https://example.com' } }, {}]) {
        const user = await registerUser(server.api, overrides);
        const response = await server.api.post('/v1/auth/login', {
          email: user.email,
          password: user.password,
        });
        expect(response.status).toBe(200);
        const me = await server.api.get('/v1/users/me', { token: response.body.accessToken });
        expect(response.body.user).toEqual(me.body);
        expect(response.body.user.profile === null).toBe(!('profile' in overrides));
      }
    });

    it('writes neither session nor audit event for a user deleted after its password was checked', async () => {
      const gone = randomUUID();
      const session = {
        id: randomUUID(),
        refreshTokenHash: randomUUID(),
        userAgent: null,
        ip: '192.0.2.1',
        expiresAt: new Date(Date.now() + 86_400_000),
      };
      const event = {
        id: randomUUID(),
        at: new Date(),
        action: AuditAction.LoginSucceeded,
        actorType: AuditActorType.User,
        actorId: gone,
        targetType: AuditTargetType.User,
        targetId: gone,
        accountId: null,
        ip: session.ip,
        requestId: null,
        metadata: { sessionId: session.id },
      };
      expect(await server.app.get(AuthRepository).openSession(gone, session, event)).toBeNull();
      const prisma = server.app.get(PrismaService);
      expect(await prisma.session.count({ where: { id: session.id } })).toBe(0);
      expect(await prisma.auditEvent.count({ where: { id: event.id } })).toBe(0);
    });

    it('answers an unknown email exactly like a wrong password', async () => {
      const user = await registerUser(server.api);
      const wrong = await server.api.post('/v1/auth/login', {
        email: user.email,
        password: 'wrong-password',
      });
      const unknown = await server.api.post('/v1/auth/login', {
        email: 'nobody@example.com',
        password: 'wrong-password',
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
      expect(strip(unknown.body)).toEqual(strip(wrong.body));
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    });
  });

  describe('access tokens', () => {
    let user: Awaited<ReturnType<typeof registerUser>>;
    let claims: Record<string, unknown>;

    beforeAll(async () => {
      user = await registerUser(server.api);
      claims = jwt.decode(user.accessToken) as Record<string, unknown>;
    });

    const expectRejected = async (token: string, failure: 'invalid' | 'expired' = 'invalid') => {
      const response = await server.api.get('/v1/users/me', { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer error="invalid_token", error_description="The access token ${failure === 'expired' ? 'expired' : 'is invalid'}"`,
      );
      expect(response.body.code).toBe('UNAUTHENTICATED');
    };

    it('carries the user, role and session, and expires', () => {
      expect(claims).toMatchObject({ sub: user.id, role: 'USER', typ: 'access' });
      expect(typeof claims.sid).toBe('string');
      expect(Number(claims.exp) - Number(claims.iat)).toBe(600);
    });

    it('refuses no token, and a malformed one', async () => {
      const none = await server.api.get('/v1/users/me');
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      await expectRejected('not.a.jwt');
    });

    it('refuses alg none', async () => {
      await expectRejected(`${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`);
    });

    it('refuses another algorithm, even with the right secret', async () => {
      const { iat: _iat, ...payload } = claims;
      await expectRejected(jwt.sign(payload, SECRET, { algorithm: 'HS512' }));
    });

    it('refuses an edited payload', async () => {
      const [header, , signature] = user.accessToken.split('.');
      await expectRejected(`${header}.${base64url({ ...claims, role: 'ADMIN' })}.${signature}`);
    });

    it('refuses an expired token', async () => {
      const { iat: _iat, ...payload } = claims;
      await expectRejected(
        jwt.sign({ ...payload, exp: Math.floor(Date.now() / 1000) - 10 }, SECRET),
        'expired',
      );
    });

    it('refuses a token without exp', async () => {
      const { iat: _iat, exp: _exp, ...payload } = claims;
      await expectRejected(jwt.sign(payload, SECRET, { algorithm: 'HS256' }));
    });

    it('refuses a token signed with another secret', async () => {
      const { iat: _iat, ...payload } = claims;
      await expectRejected(
        jwt.sign(payload, 'another-secret-another-secret-another', { algorithm: 'HS256' }),
      );
    });

    it('refuses a refresh token used as an access token, and the other way round', async () => {
      const fresh = await registerUser(server.api);
      await expectRejected(fresh.refreshToken);
      const response = await server.api.post('/v1/auth/refresh', { refreshToken: fresh.accessToken });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('INVALID_REFRESH_TOKEN');
    });
  });

  describe('refresh', () => {
    it('rotates: the new pair works, the old refresh token is spent', async () => {
      const user = await registerUser(server.api);
      const first = await server.api.post('/v1/auth/refresh', { refreshToken: user.refreshToken });
      expect(first.status).toBe(200);
      expect(first.headers.get('cache-control')).toBe('no-store');
      expect(first.body.refreshToken).not.toBe(user.refreshToken);
      expect((await server.api.get('/v1/users/me', { token: first.body.accessToken })).status).toBe(200);
      const second = await server.api.post('/v1/auth/refresh', { refreshToken: first.body.refreshToken });
      expect(second.status).toBe(200);
    });

    it('treats a reused refresh token as theft: 401 TOKEN_REUSED and the whole session revoked', async () => {
      const user = await registerUser(server.api);
      const rotated = await server.api.post('/v1/auth/refresh', { refreshToken: user.refreshToken });
      const reuse = await server.api.post('/v1/auth/refresh', { refreshToken: user.refreshToken });
      expect(reuse.status).toBe(401);
      expect(reuse.body.code).toBe('TOKEN_REUSED');
      expect(
        (await server.api.post('/v1/auth/refresh', { refreshToken: rotated.body.refreshToken })).status,
      ).toBe(401);
      expect((await server.api.get('/v1/users/me', { token: rotated.body.accessToken })).status).toBe(401);
      expect((await server.api.get('/v1/users/me', { token: user.accessToken })).status).toBe(401);
    });

    it('gives at most one live successor to parallel refreshes of one token', async () => {
      const user = await registerUser(server.api);
      const responses = await Promise.all(
        Array.from({ length: 5 }, () =>
          server.api.post('/v1/auth/refresh', { refreshToken: user.refreshToken }),
        ),
      );
      const successors = responses.filter((response) => response.status === 200);
      expect(successors.length).toBeLessThanOrEqual(1);
      const live = await Promise.all(
        successors.map((s) => server.api.post('/v1/auth/refresh', { refreshToken: s.body.refreshToken })),
      );
      expect(live.filter((response) => response.status === 200).length).toBeLessThanOrEqual(1);
    });

    it('refuses a forged token without revoking anything', async () => {
      const user = await registerUser(server.api);
      const [sid, counter, secret] = user.refreshToken.split('.');
      const forged = `${sid}.${counter}.${secret}.AAAAAAAAAAAAAAAAAAAAAA`;
      const response = await server.api.post('/v1/auth/refresh', { refreshToken: forged });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('INVALID_REFRESH_TOKEN');
      expect((await server.api.post('/v1/auth/refresh', { refreshToken: user.refreshToken })).status).toBe(
        200,
      );
    });
  });

  describe('sessions', () => {
    it('lists only my live sessions and marks the current one', async () => {
      const user = await registerUser(server.api);
      const second = await server.api.post('/v1/auth/login', { email: user.email, password: user.password });
      const list = await server.api.get('/v1/auth/sessions', { token: second.body.accessToken });
      expect(list.status).toBe(200);
      expect(list.headers.get('cache-control')).toBe('no-store');
      expect(list.body.data).toHaveLength(2);
      expect(list.body.data.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
      expect(list.body.nextCursor).toBeNull();
    });

    it('pages through sessions with a cursor', async () => {
      const user = await registerUser(server.api);
      await server.api.post('/v1/auth/login', { email: user.email, password: user.password });
      await server.api.post('/v1/auth/login', { email: user.email, password: user.password });
      const first = await server.api.get('/v1/auth/sessions?limit=2', { token: user.accessToken });
      expect(first.body.data).toHaveLength(2);
      const next = await server.api.get(`/v1/auth/sessions?limit=2&cursor=${first.body.nextCursor}`, {
        token: user.accessToken,
      });
      expect(next.body.data).toHaveLength(1);
      expect(next.body.nextCursor).toBeNull();
      const ids = [...first.body.data, ...next.body.data].map((s: { id: string }) => s.id);
      expect(new Set(ids).size).toBe(3);
      const bad = await server.api.get('/v1/auth/sessions?cursor=tampered', {
        token: user.accessToken,
        invalid: 'a tampered cursor',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('INVALID_CURSOR');
    });

    it('revokes one of my sessions, which stops its access token at once', async () => {
      const user = await registerUser(server.api);
      const other = await server.api.post('/v1/auth/login', { email: user.email, password: user.password });
      // Used once first, so its session check has an answer to reuse: revoking must end that too.
      expect((await server.api.get('/v1/users/me', { token: other.body.accessToken })).status).toBe(200);
      const sessions = await server.api.get('/v1/auth/sessions', { token: user.accessToken });
      const target = sessions.body.data.find((s: { current: boolean }) => !s.current);
      const revoke = await server.api.delete(`/v1/auth/sessions/${target.id}`, { token: user.accessToken });
      expect(revoke.status).toBe(204);
      expect((await server.api.get('/v1/users/me', { token: other.body.accessToken })).status).toBe(401);
      expect((await server.api.get('/v1/users/me', { token: user.accessToken })).status).toBe(200);
    });

    it("answers 404 for someone else's session and leaves it alone", async () => {
      const owner = await registerUser(server.api);
      const intruder = await registerUser(server.api);
      const sessions = await server.api.get('/v1/auth/sessions', { token: owner.accessToken });
      const response = await server.api.delete(`/v1/auth/sessions/${sessions.body.data[0].id}`, {
        token: intruder.accessToken,
      });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('SESSION_NOT_FOUND');
      expect((await server.api.get('/v1/users/me', { token: owner.accessToken })).status).toBe(200);
    });

    it('answers 400 for a malformed session id', async () => {
      const user = await registerUser(server.api);
      const response = await server.api.delete('/v1/auth/sessions/not-a-uuid', {
        token: user.accessToken,
        invalid: 'a malformed session id',
      });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
    });

    it('logs out: the session and its refresh token stop working', async () => {
      const user = await registerUser(server.api);
      expect((await server.api.post('/v1/auth/logout', undefined, { token: user.accessToken })).status).toBe(
        204,
      );
      expect((await server.api.get('/v1/users/me', { token: user.accessToken })).status).toBe(401);
      const refresh = await server.api.post('/v1/auth/refresh', { refreshToken: user.refreshToken });
      expect(refresh.status).toBe(401);
    });

    it('needs a token for every session route', async () => {
      expect((await server.api.get('/v1/auth/sessions')).status).toBe(401);
      expect((await server.api.post('/v1/auth/logout')).status).toBe(401);
      expect(
        (
          await server.api.post('/v1/auth/password', {
            currentPassword: 'old-password',
            newPassword: 'a-new-password',
          })
        ).status,
      ).toBe(401);
    });
  });

  describe('password change', () => {
    it('needs the current password, then revokes every other session', async () => {
      const user = await registerUser(server.api);
      const other = await server.api.post('/v1/auth/login', { email: user.email, password: user.password });
      expect((await server.api.get('/v1/users/me', { token: other.body.accessToken })).status).toBe(200);
      const wrong = await server.api.post(
        '/v1/auth/password',
        { currentPassword: 'not-it-at-all', newPassword: 'a-new-password' },
        { token: user.accessToken },
      );
      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('WRONG_PASSWORD');

      const changed = await server.api.post(
        '/v1/auth/password',
        { currentPassword: user.password, newPassword: 'a-new-password' },
        { token: user.accessToken },
      );
      expect(changed.status).toBe(204);
      expect((await server.api.get('/v1/users/me', { token: other.body.accessToken })).status).toBe(401);
      expect(
        (await server.api.post('/v1/auth/refresh', { refreshToken: other.body.refreshToken })).status,
      ).toBe(401);
      expect((await server.api.get('/v1/users/me', { token: user.accessToken })).status).toBe(200);
      expect(
        (await server.api.post('/v1/auth/login', { email: user.email, password: user.password })).status,
      ).toBe(401);
      expect(
        (await server.api.post('/v1/auth/login', { email: user.email, password: 'a-new-password' })).status,
      ).toBe(200);
    });

    it('validates the new password', async () => {
      const user = await registerUser(server.api);
      const response = await server.api.post(
        '/v1/auth/password',
        { currentPassword: user.password, newPassword: 'short' },
        { token: user.accessToken, invalid: 'a new password too short' },
      );
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('newPassword');
    });
  });
});
