import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { PrismaService } from 'nestjs-prisma';

import { Clock } from '@/common/time/clock';
import { PurgeJob } from '@/jobs/purge/purge.job';
import { AuthService } from '@/modules/auth/auth.service';

import { newUserInput, RegisteredUser, registerUser } from '../factories/users';
import { type ReceivedMail, SmtpSink, tokenOf } from '../helpers/smtp-sink';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { JOB_SETTINGS } from '../helpers/test-queues';

const APP_URL = 'https://app.example.test';
const MINUTE_MS = 60_000;
const ADDRESS_LIMIT = 3;
const CLIENT_LIMIT = 4;

/** A clock the tests can move forward, to expire links without waiting. */
class MovableClock extends Clock {
  private offsetMs = 0;

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let clients = 0;
/** Requests from a client address of their own (X-Forwarded-For), so the per-client limit is each test's. */
function fromFreshClient(): { headers: Record<string, string> } {
  clients += 1;
  return { headers: { 'x-forwarded-for': `198.51.${clients >> 8}.${clients & 255}` } };
}

describe('account recovery and email', () => {
  const clock = new MovableClock();
  let sink: SmtpSink;
  let server: TestApp;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    server = await startTestApp(
      {
        ...JOB_SETTINGS,
        SMTP_URL: sink.url,
        APP_URL,
        PRODUCT_NAME: 'Test Listings',
        MAIL_FROM: 'Test Listings <no-reply@example.test>',
        MAIL_RETRY_DELAY_SECONDS: '1',
        MAIL_ADDRESS_LIMIT: String(ADDRESS_LIMIT),
        MAIL_CLIENT_LIMIT: String(CLIENT_LIMIT),
        TRUST_PROXY: 'true',
      },
      { clock },
    );
  });

  afterAll(async () => {
    await server?.close();
    await sink?.stop();
  });

  const api = () => server.api;
  const prisma = () => server.app.get(PrismaService);

  /** Registers a user and returns it with the token of the verification mail it received. */
  async function registered(): Promise<RegisteredUser & { verificationToken: string }> {
    const user = await registerUser(api());
    const mail = await sink.waitFor(user.email);
    return { ...user, verificationToken: tokenOf(mail, APP_URL, '/verify-email') };
  }

  /** Asks for a reset link for `email` and returns the token of the next mail `email` receives. */
  async function resetToken(email: string): Promise<string> {
    const before = sink.to(email).length;
    const response = await api().post('/v1/auth/password/forgot', { email }, fromFreshClient());
    expect(response.status).toBe(202);
    const mail = await sink.waitFor(email, before + 1);
    expect(mail.subject).toBe('Reset your Test Listings password');
    return tokenOf(mail, APP_URL, '/reset-password');
  }

  describe('verification', () => {
    it('mails a verification link at registration; the link verifies the address once', async () => {
      const user = await registered();
      const mail = sink.to(user.email)[0];
      expect(mail.subject).toBe('Confirm your email address for Test Listings');
      expect(mail.parsed.from?.value).toEqual([{ name: 'Test Listings', address: 'no-reply@example.test' }]);
      expect(mail.html).toContain(`href="${APP_URL}/verify-email?token=`);
      expect((await api().get('/v1/users/me', { token: user.accessToken })).body.emailVerified).toBe(false);
      // Only the token's SHA-256 is stored.
      const stored = await prisma().userToken.findMany({ where: { userId: user.id } });
      expect(stored.map((row) => row.tokenHash)).toEqual([sha256(user.verificationToken)]);
      expect(JSON.stringify(stored)).not.toContain(user.verificationToken);

      expect((await api().post('/v1/auth/email/verify', { token: user.verificationToken })).status).toBe(204);
      expect((await api().get('/v1/users/me', { token: user.accessToken })).body.emailVerified).toBe(true);

      const again = await api().post('/v1/auth/email/verify', { token: user.verificationToken });
      expect(again.status).toBe(400);
      expect(again.body.code).toBe('INVALID_TOKEN');
    });

    it('sends no mail for a registration that failed: the mail commits with the account or not at all', async () => {
      const user = await registered();
      const duplicate = await api().post('/v1/auth/register', newUserInput({ email: user.email }));
      expect(duplicate.status).toBe(409);
      // The next mail to the address is the reset asked for now, not a second verification.
      await resetToken(user.email);
      expect(sink.to(user.email)).toHaveLength(2);
    });

    it("verifies the token's account, whoever sends it", async () => {
      const [owner, other] = [await registered(), await registered()];
      const response = await api().post(
        '/v1/auth/email/verify',
        { token: owner.verificationToken },
        { token: other.accessToken },
      );
      expect(response.status).toBe(204);
      expect((await api().get('/v1/users/me', { token: owner.accessToken })).body.emailVerified).toBe(true);
      expect((await api().get('/v1/users/me', { token: other.accessToken })).body.emailVerified).toBe(false);
    });

    it('shows emailVerified in the admin list', async () => {
      const admin = await registerUser(api());
      await server.app.get(AuthService).promoteAdmin(admin.email);
      const verified = await registered();
      await api().post('/v1/auth/email/verify', { token: verified.verificationToken });
      const unverified = await registerUser(api());
      const list = await api().get('/v1/users?limit=100', { token: admin.accessToken });
      expect(list.status).toBe(200);
      const byId = new Map(
        list.body.data.map((user: { id: string; emailVerified: boolean }) => [user.id, user]),
      );
      expect(byId.get(verified.id)).toMatchObject({ emailVerified: true });
      expect(byId.get(unverified.id)).toMatchObject({ emailVerified: false });
    });

    it('sends a new link on request, which works while the first one also does', async () => {
      const user = await registered();
      const response = await api().post('/v1/auth/email/verification', undefined, {
        token: user.accessToken,
        ...fromFreshClient(),
      });
      expect(response.status).toBe(202);
      const second = tokenOf(await sink.waitFor(user.email, 2), APP_URL, '/verify-email');
      expect(second).not.toBe(user.verificationToken);
      expect((await api().post('/v1/auth/email/verify', { token: second })).status).toBe(204);
    });

    it('sends nothing to an address already verified, and refuses an anonymous request', async () => {
      const user = await registered();
      await api().post('/v1/auth/email/verify', { token: user.verificationToken });
      const response = await api().post('/v1/auth/email/verification', undefined, {
        token: user.accessToken,
        ...fromFreshClient(),
      });
      expect(response.status).toBe(202);
      expect((await api().post('/v1/auth/email/verification')).status).toBe(401);
      // A mail asked for later arrives: had the first request sent one, it would be here before it.
      await resetToken(user.email);
      expect(sink.to(user.email).map((mail) => mail.subject)).toEqual([
        'Confirm your email address for Test Listings',
        'Reset your Test Listings password',
      ]);
    });

    it('refuses an expired verification link', async () => {
      const user = await registered();
      clock.advance(24 * 60 * MINUTE_MS + MINUTE_MS);
      const response = await api().post('/v1/auth/email/verify', { token: user.verificationToken });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('INVALID_TOKEN');
      expect((await api().get('/v1/users/me', { token: user.accessToken })).body.emailVerified).toBe(false);
    });
  });

  describe('password reset', () => {
    it('answers every address alike; only an account gets a mail, with a link that works once', async () => {
      const user = await registered();
      const unknown = newUserInput().email;
      const [forUnknown, forKnown] = [
        await api().post('/v1/auth/password/forgot', { email: unknown }, fromFreshClient()),
        await api().post(
          '/v1/auth/password/forgot',
          { email: user.email.toUpperCase() },
          {
            ...fromFreshClient(),
            invalid: 'an email in capitals, which the server lower-cases',
          },
        ),
      ];
      expect(forKnown.status).toBe(202);
      expect(forUnknown.status).toBe(202);
      expect(forKnown.text).toBe(forUnknown.text);
      const headerNames = (r: typeof forKnown) =>
        [...r.headers.keys()].filter((n) => !/date|request-id/.test(n));
      expect(headerNames(forKnown)).toEqual(headerNames(forUnknown));

      const mail = await sink.waitFor(user.email, 2);
      const token = tokenOf(mail, APP_URL, '/reset-password');
      // The unknown address's job ran first (one queue, in order): it sent nothing.
      expect(sink.to(unknown)).toHaveLength(0);

      const newPassword = 'brand-new-password-42';
      expect((await api().post('/v1/auth/password/reset', { token, newPassword })).status).toBe(204);
      const reused = await api().post('/v1/auth/password/reset', {
        token,
        newPassword: 'another-password-43',
      });
      expect(reused.status).toBe(400);
      expect(reused.body.code).toBe('INVALID_TOKEN');

      const login = (password: string) => api().post('/v1/auth/login', { email: user.email, password });
      expect((await login(newPassword)).status).toBe(200);
      expect((await login(user.password)).status).toBe(401);
    });

    it('revokes every session, and mails a notice that the password changed', async () => {
      const user = await registered();
      const second = await api().post('/v1/auth/login', { email: user.email, password: user.password });
      const token = await resetToken(user.email);
      expect(
        (await api().post('/v1/auth/password/reset', { token, newPassword: 'reset-password-0001' })).status,
      ).toBe(204);
      for (const accessToken of [user.accessToken, second.body.accessToken]) {
        expect((await api().get('/v1/users/me', { token: accessToken })).status).toBe(401);
      }
      expect((await api().post('/v1/auth/refresh', { refreshToken: user.refreshToken })).status).toBe(401);
      const notice = await sink.waitFor(user.email, 3);
      expect(notice.subject).toBe('Your Test Listings password was changed');
      expect(notice.text).not.toContain('token=');
    });

    it('lets exactly one of twenty parallel uses of a link through', async () => {
      const user = await registered();
      const token = await resetToken(user.email);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          api().post('/v1/auth/password/reset', { token, newPassword: `parallel-password-${n}` }),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 204)).toHaveLength(1);
      expect(statuses.filter((status) => status === 400)).toHaveLength(19);
      const winner = responses.findIndex((response) => response.status === 204);
      const login = await api().post('/v1/auth/login', {
        email: user.email,
        password: `parallel-password-${winner}`,
      });
      expect(login.status).toBe(200);
    });

    it('refuses a link after 30 minutes', async () => {
      const user = await registered();
      const token = await resetToken(user.email);
      clock.advance(31 * MINUTE_MS);
      const response = await api().post('/v1/auth/password/reset', {
        token,
        newPassword: 'too-late-password',
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('INVALID_TOKEN');
      expect(
        (await api().post('/v1/auth/login', { email: user.email, password: user.password })).status,
      ).toBe(200);
    });

    it('voids the other reset links once one is used', async () => {
      const user = await registered();
      const first = await resetToken(user.email);
      const second = await resetToken(user.email);
      expect(
        (await api().post('/v1/auth/password/reset', { token: second, newPassword: 'second-link-pw' }))
          .status,
      ).toBe(204);
      const response = await api().post('/v1/auth/password/reset', {
        token: first,
        newPassword: 'first-link-pw',
      });
      expect(response.status).toBe(400);
    });

    it.each([
      ['an unknown token', 'A'.repeat(43)],
      ['a malformed token', 'not a token'],
    ])('refuses %s with INVALID_TOKEN', async (_name, token) => {
      const response = await api().post('/v1/auth/password/reset', {
        token,
        newPassword: 'whatever-password',
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('INVALID_TOKEN');
    });

    it('refuses a token meant for something else', async () => {
      const user = await registered();
      const response = await api().post('/v1/auth/password/reset', {
        token: user.verificationToken,
        newPassword: 'wrong-purpose-pw',
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('INVALID_TOKEN');
      // Still good for what it was meant for.
      expect((await api().post('/v1/auth/email/verify', { token: user.verificationToken })).status).toBe(204);
    });

    it.each([
      ['email', '/v1/auth/password/forgot', { email: 'not-an-email' }],
      ['newPassword', '/v1/auth/password/reset', { token: 'A'.repeat(43), newPassword: 'short' }],
      ['token', '/v1/auth/email/verify', { token: 42 }],
    ])('names the invalid field %s', async (field, path, body) => {
      const response = await api().post(path, body, { invalid: `an invalid ${field}` });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors).toEqual([expect.objectContaining({ field })]);
    });

    it('mails the notice after a signed-in password change too', async () => {
      const user = await registered();
      const response = await api().post(
        '/v1/auth/password',
        { currentPassword: user.password, newPassword: 'changed-by-me-1234' },
        { token: user.accessToken },
      );
      expect(response.status).toBe(204);
      expect((await sink.waitFor(user.email, 2)).subject).toBe('Your Test Listings password was changed');
    });

    it("keeps the links' tokens out of the jobs that mail them: their variables are sealed", async () => {
      const user = await registered();
      const token = await resetToken(user.email);
      const jobs = await prisma().$queryRaw<{ template: string; data: string }[]>`
        SELECT data->>'template' AS template, data::text AS data FROM pgboss.job
         WHERE name = 'send-mail' AND data->>'to' = ${user.email} ORDER BY created_on`;
      expect(jobs.map((job) => job.template)).toEqual(['email-verification', 'password-reset']);
      for (const job of jobs) {
        expect(job.data).not.toContain(token);
        expect(job.data).not.toContain(user.verificationToken);
        expect(job.data).not.toContain(APP_URL);
        expect((JSON.parse(job.data) as { vars: string }).vars).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
      }
    });
  });

  describe('email change', () => {
    it('changes the address only once the link sent to the new one is used; the old one is told', async () => {
      const user = await registered();
      const newEmail = newUserInput().email;
      const response = await api().post(
        '/v1/users/me/email',
        { newEmail, currentPassword: user.password },
        { token: user.accessToken, ...fromFreshClient() },
      );
      expect(response.status).toBe(202);
      const link = await sink.waitFor(newEmail);
      expect(link.subject).toBe('Confirm your new Test Listings email address');
      const notice = await sink.waitFor(user.email, 2);
      expect(notice.subject).toBe('Your Test Listings email address is about to change');
      expect(notice.text).toContain(newEmail);
      expect(notice.text).not.toContain('token=');
      expect((await api().get('/v1/users/me', { token: user.accessToken })).body.email).toBe(user.email);

      const token = tokenOf(link, APP_URL, '/confirm-email');
      expect((await api().post('/v1/auth/email/confirm', { token })).status).toBe(204);
      const me = await api().get('/v1/users/me', { token: user.accessToken });
      expect(me.body).toMatchObject({ email: newEmail, emailVerified: true });
      expect((await api().post('/v1/auth/login', { email: newEmail, password: user.password })).status).toBe(
        200,
      );
      expect((await api().post('/v1/auth/email/confirm', { token })).status).toBe(400);
    });

    it('needs the current password', async () => {
      const user = await registered();
      const response = await api().post(
        '/v1/users/me/email',
        { newEmail: newUserInput().email, currentPassword: 'not-my-password' },
        { token: user.accessToken, ...fromFreshClient() },
      );
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('WRONG_PASSWORD');
      expect(
        (await api().post('/v1/users/me/email', { newEmail: 'x@example.com', currentPassword: 'x' })).status,
      ).toBe(401);
    });

    it('refuses an address another account has, as registration does', async () => {
      const [user, other] = [await registered(), await registerUser(api())];
      const response = await api().post(
        '/v1/users/me/email',
        { newEmail: other.email, currentPassword: user.password },
        { token: user.accessToken, ...fromFreshClient() },
      );
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('EMAIL_TAKEN');
    });

    it('answers 409 EMAIL_TAKEN at the link when the address was taken meanwhile, and changes nothing', async () => {
      const user = await registered();
      const newEmail = newUserInput().email;
      await api().post(
        '/v1/users/me/email',
        { newEmail, currentPassword: user.password },
        { token: user.accessToken, ...fromFreshClient() },
      );
      const token = tokenOf(await sink.waitFor(newEmail), APP_URL, '/confirm-email');
      await registerUser(api(), { email: newEmail });
      const response = await api().post('/v1/auth/email/confirm', { token });
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('EMAIL_TAKEN');
      expect((await api().get('/v1/users/me', { token: user.accessToken })).body.email).toBe(user.email);
    });

    it('refuses an email-change link after 24 hours', async () => {
      const user = await registered();
      const newEmail = newUserInput().email;
      await api().post(
        '/v1/users/me/email',
        { newEmail, currentPassword: user.password },
        { token: user.accessToken, ...fromFreshClient() },
      );
      const token = tokenOf(await sink.waitFor(newEmail), APP_URL, '/confirm-email');
      clock.advance(24 * 60 * MINUTE_MS + MINUTE_MS);
      expect((await api().post('/v1/auth/email/confirm', { token })).status).toBe(400);
    });
  });

  describe('limits', () => {
    it('sends at most MAIL_ADDRESS_LIMIT mails per address, answering every request alike', async () => {
      const user = await registered();
      const responses = [];
      for (let n = 0; n < ADDRESS_LIMIT + 2; n += 1) {
        responses.push(
          await api().post('/v1/auth/password/forgot', { email: user.email }, fromFreshClient()),
        );
      }
      expect(new Set(responses.map((response) => `${response.status} ${response.text}`)).size).toBe(1);
      await sink.waitFor(user.email, 1 + ADDRESS_LIMIT);
      // A later mail of another kind arrives; no further reset mail came before it.
      await api().post(
        '/v1/auth/password',
        { currentPassword: user.password, newPassword: 'after-the-limit-pw' },
        { token: user.accessToken },
      );
      await sink.waitFor(user.email, 2 + ADDRESS_LIMIT);
      const subjects = sink.to(user.email).map((mail: ReceivedMail) => mail.subject);
      expect(subjects.filter((subject) => subject.startsWith('Reset'))).toHaveLength(ADDRESS_LIMIT);
    });

    it('sends at most MAIL_CLIENT_LIMIT mails asked for by one client, whatever the addresses', async () => {
      const client = fromFreshClient();
      const users = [];
      for (let n = 0; n < CLIENT_LIMIT + 1; n += 1) {
        users.push(await registered());
      }
      for (const user of users) {
        const response = await api().post('/v1/auth/password/forgot', { email: user.email }, client);
        expect(response.status).toBe(202);
      }
      for (const user of users.slice(0, CLIENT_LIMIT)) {
        await sink.waitFor(user.email, 2);
      }
      const last = users[CLIENT_LIMIT];
      // Another client's request for the last address is served: only the limited client's was dropped.
      await resetToken(last.email);
      expect(sink.to(last.email).filter((mail) => mail.subject.startsWith('Reset'))).toHaveLength(1);
    });
  });

  describe('mail server outage', () => {
    it('answers 202 while the mail server is down, and delivers once it is back', async () => {
      const user = await registered();
      await sink.stop();
      try {
        const response = await api().post(
          '/v1/auth/password/forgot',
          { email: user.email },
          fromFreshClient(),
        );
        expect(response.status).toBe(202);
        // Long enough for a first attempt to fail against the closed port.
        await sleep(1500);
        expect(sink.to(user.email)).toHaveLength(1);
      } finally {
        await sink.start();
      }
      const mail = await sink.waitFor(user.email, 2, 30_000);
      expect(tokenOf(mail, APP_URL, '/reset-password')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const [job] = await prisma().$queryRaw<{ state: string; retryCount: number }[]>`
        SELECT state::text, retry_count AS "retryCount" FROM pgboss.job
         WHERE name = 'send-mail' AND data->>'to' = ${user.email} AND data->>'template' = 'password-reset'`;
      expect(job.retryCount).toBeGreaterThan(0);
    });
  });

  describe('purge', () => {
    it('deletes the tokens of expired links', async () => {
      await registered();
      clock.advance(25 * 60 * MINUTE_MS);
      const purged = await server.app.get(PurgeJob).run();
      expect(purged.userTokens).toBeGreaterThan(0);
    });
  });
});
