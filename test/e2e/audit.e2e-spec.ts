import { setTimeout as sleep } from 'node:timers/promises';

import { PrismaService } from 'nestjs-prisma';
import { v7 as uuidv7 } from 'uuid';

import { Transactions } from '@/database/transactions';
import { JobsService } from '@/jobs/jobs.service';
import { PURGE_QUEUE } from '@/jobs/purge/purge.job';
import { SECRET_KEY } from '@/modules/audit/audit-log';
import { AuthService } from '@/modules/auth/auth.service';
import { UserTokensService } from '@/modules/auth/user-tokens.service';

import { AccountWithMembers, createAccountWithMembers } from '../factories/accounts';
import { createPost } from '../factories/posts';
import { RegisteredUser, registerUser } from '../factories/users';
import { useTestApp } from '../helpers/test-app';
import { JOB_SETTINGS } from '../helpers/test-queues';

const DAY_MS = 24 * 60 * 60 * 1000;
const RETENTION_DAYS = 30;

interface AuditEvent {
  id: string;
  at: string;
  action: string;
  actorType: 'user' | 'api-key' | 'system';
  actorId: string | null;
  targetType: string;
  targetId: string | null;
  ip: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
}

/** A request the audit log can tell from any other: its own X-Request-Id and client address. */
interface Trace {
  requestId: string;
  ip: string;
  headers: Record<string, string>;
}

let traces = 0;
function traced(): Trace {
  traces += 1;
  const requestId = `audit-e2e-${traces}`;
  const ip = `203.0.113.${traces}`;
  return { requestId, ip, headers: { 'x-request-id': requestId, 'x-forwarded-for': ip } };
}

describe('audit log', () => {
  // Behind a trusted proxy, so that each request can come from an address of its own.
  const server = useTestApp({
    ...JOB_SETTINGS,
    TRUST_PROXY: 'true',
    AUDIT_RETENTION_DAYS: String(RETENTION_DAYS),
  });
  const prisma = () => server.app.get(PrismaService);
  /** Every password, token and secret the tests used: none may show in any event. */
  const secrets: string[] = [];
  let admin: RegisteredUser;

  /** A registered user, whose password and tokens join the secrets. */
  async function user(): Promise<RegisteredUser> {
    const registered = await registerUser(server.api);
    secrets.push(registered.password, registered.accessToken, registered.refreshToken);
    return registered;
  }

  /** An account with an OWNER, an ADMIN and a MEMBER, whose passwords and tokens join the secrets. */
  async function newAccount(): Promise<AccountWithMembers> {
    const created = await createAccountWithMembers(server.api);
    for (const member of [created.owner, created.admin, created.member]) {
      secrets.push(member.password, member.accessToken, member.refreshToken);
    }
    return created;
  }

  /** Logs in; the new session's tokens join the secrets. */
  async function login(
    who: RegisteredUser,
    trace = traced(),
  ): Promise<{ accessToken: string; sessionId: string }> {
    const response = await server.api.post(
      '/v1/auth/login',
      { email: who.email, password: who.password },
      { headers: trace.headers },
    );
    expect(response.status).toBe(200);
    secrets.push(response.body.accessToken, response.body.refreshToken);
    const sessions = await server.api.get('/v1/auth/sessions', { token: response.body.accessToken });
    const current = sessions.body.data.find((session: { current: boolean }) => session.current);
    return { accessToken: response.body.accessToken, sessionId: current.id };
  }

  /** The whole log (admin), newest first, filtered by `query`. */
  async function events(query: Record<string, string> = {}): Promise<AuditEvent[]> {
    const params = new URLSearchParams({ limit: '100', ...query });
    const response = await server.api.get(`/v1/admin/audit-events?${params.toString()}`, {
      token: admin.accessToken,
    });
    expect(response.status).toBe(200);
    return response.body.data;
  }

  /** What an account's OWNER (or ADMIN) sees of its audit. */
  async function accountEvents(
    account: AccountWithMembers,
    token = account.owner.accessToken,
  ): Promise<AuditEvent[]> {
    const response = await server.api.get(`/v1/accounts/${account.id}/audit-events?limit=100`, { token });
    expect(response.status).toBe(200);
    return response.body.data;
  }

  /** The one `action` event that the request of `trace` recorded. */
  async function recordedBy(trace: Trace, action: string): Promise<AuditEvent> {
    const found = (await events({ action })).filter((event) => event.requestId === trace.requestId);
    expect(found).toHaveLength(1);
    return found[0];
  }

  /** An event as the request of `trace` should have recorded it. */
  function expected(
    trace: Trace,
    fields: Pick<AuditEvent, 'action' | 'actorType' | 'actorId' | 'targetType' | 'targetId'> & {
      metadata?: Record<string, unknown>;
    },
  ): AuditEvent {
    return {
      id: expect.any(String),
      at: expect.any(String),
      ip: trace.ip,
      requestId: trace.requestId,
      metadata: {},
      ...fields,
    };
  }

  beforeAll(async () => {
    admin = await user();
    await server.app.get(AuthService).promoteAdmin(admin.email);
  });

  describe('what is recorded', () => {
    it('records the promotion of an admin by the admin command as the service itself', async () => {
      const [event] = await events({ action: 'user.role.changed', targetId: admin.id });
      expect(event).toEqual({
        id: expect.any(String),
        at: expect.any(String),
        action: 'user.role.changed',
        actorType: 'system',
        actorId: null,
        targetType: 'user',
        targetId: admin.id,
        ip: null,
        requestId: null,
        metadata: { role: 'ADMIN', previousRole: 'USER' },
      });
    });

    it('records a login that succeeded as the user, with the session it opened', async () => {
      const someone = await user();
      const trace = traced();
      const { sessionId } = await login(someone, trace);
      expect(await recordedBy(trace, 'auth.login.succeeded')).toEqual(
        expected(trace, {
          action: 'auth.login.succeeded',
          actorType: 'user',
          actorId: someone.id,
          targetType: 'user',
          targetId: someone.id,
          metadata: { sessionId },
        }),
      );
    });

    it('records a failed login with no actor, naming the user only when the email is one', async () => {
      const someone = await user();
      const wrong = traced();
      const wrongPassword = `${someone.password}-wrong`;
      secrets.push(wrongPassword);
      const refused = await server.api.post(
        '/v1/auth/login',
        { email: someone.email, password: wrongPassword },
        { headers: wrong.headers },
      );
      expect(refused.status).toBe(401);
      expect(await recordedBy(wrong, 'auth.login.failed')).toEqual(
        expected(wrong, {
          action: 'auth.login.failed',
          actorType: 'user',
          actorId: null,
          targetType: 'user',
          targetId: someone.id,
          metadata: { email: someone.email },
        }),
      );

      const unknown = traced();
      const email = `nobody-${traces}@example.com`;
      const answer = await server.api.post(
        '/v1/auth/login',
        { email, password: wrongPassword },
        { headers: unknown.headers },
      );
      expect(answer.status).toBe(401);
      expect(await recordedBy(unknown, 'auth.login.failed')).toEqual(
        expected(unknown, {
          action: 'auth.login.failed',
          actorType: 'user',
          actorId: null,
          targetType: 'user',
          targetId: null,
          metadata: { email },
        }),
      );
    });

    it('records a login refused for a suspension as failed, with the reason', async () => {
      const someone = await user();
      await prisma().user.update({ where: { id: someone.id }, data: { suspendedAt: new Date() } });
      const trace = traced();
      const refused = await server.api.post(
        '/v1/auth/login',
        { email: someone.email, password: someone.password },
        { headers: trace.headers },
      );
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('ACCOUNT_SUSPENDED');
      expect(await recordedBy(trace, 'auth.login.failed')).toEqual(
        expected(trace, {
          action: 'auth.login.failed',
          actorType: 'user',
          actorId: null,
          targetType: 'user',
          targetId: someone.id,
          metadata: { email: someone.email, reason: 'suspended' },
        }),
      );
    });

    it('records a logout and the revocation of another session, each on its session', async () => {
      const someone = await user();
      const first = await login(someone);
      const second = await login(someone);

      const revoke = traced();
      const revoked = await server.api.delete(`/v1/auth/sessions/${first.sessionId}`, {
        token: second.accessToken,
        headers: revoke.headers,
      });
      expect(revoked.status).toBe(204);
      expect(await recordedBy(revoke, 'auth.session.revoked')).toEqual(
        expected(revoke, {
          action: 'auth.session.revoked',
          actorType: 'user',
          actorId: someone.id,
          targetType: 'session',
          targetId: first.sessionId,
        }),
      );

      const logout = traced();
      const out = await server.api.post('/v1/auth/logout', undefined, {
        token: second.accessToken,
        headers: logout.headers,
      });
      expect(out.status).toBe(204);
      expect(await recordedBy(logout, 'auth.logout')).toEqual(
        expected(logout, {
          action: 'auth.logout',
          actorType: 'user',
          actorId: someone.id,
          targetType: 'session',
          targetId: second.sessionId,
        }),
      );
      // A session already gone is not revoked again, and nothing is recorded.
      const again = traced();
      const missing = await server.api.delete(`/v1/auth/sessions/${first.sessionId}`, {
        token: someone.accessToken,
        headers: again.headers,
      });
      expect(missing.status).toBe(404);
      expect(
        (await events({ action: 'auth.session.revoked' })).map((event) => event.requestId),
      ).not.toContain(again.requestId);
    });

    it('records a password change by the user, and a reset by mailed link as the user it names', async () => {
      const someone = await user();
      const change = traced();
      const changedPassword = 'changed-by-me-audit-1234';
      secrets.push(changedPassword);
      const changed = await server.api.post(
        '/v1/auth/password',
        { currentPassword: someone.password, newPassword: changedPassword },
        { token: someone.accessToken, headers: change.headers },
      );
      expect(changed.status).toBe(204);
      expect(await recordedBy(change, 'auth.password.changed')).toEqual(
        expected(change, {
          action: 'auth.password.changed',
          actorType: 'user',
          actorId: someone.id,
          targetType: 'user',
          targetId: someone.id,
        }),
      );

      const token = await server.app
        .get(Transactions)
        .run((tx) =>
          server.app.get(UserTokensService).issue(tx, 'PASSWORD_RESET', someone.id, someone.email),
        );
      const resetPassword = 'reset-by-link-audit-1234';
      secrets.push(token, resetPassword);
      const reset = traced();
      const done = await server.api.post(
        '/v1/auth/password/reset',
        { token, newPassword: resetPassword },
        { headers: reset.headers },
      );
      expect(done.status).toBe(204);
      expect(await recordedBy(reset, 'auth.password.reset')).toEqual(
        expected(reset, {
          action: 'auth.password.reset',
          actorType: 'user',
          actorId: someone.id,
          targetType: 'user',
          targetId: someone.id,
        }),
      );
    });

    it('records a role change by an admin with the role before and after; setting the same role is no change', async () => {
      const someone = await user();
      const trace = traced();
      const promoted = await server.api.patch(
        `/v1/users/${someone.id}/role`,
        { role: 'ADMIN' },
        { token: admin.accessToken, headers: trace.headers },
      );
      expect(promoted.status).toBe(200);
      expect(await recordedBy(trace, 'user.role.changed')).toEqual(
        expected(trace, {
          action: 'user.role.changed',
          actorType: 'user',
          actorId: admin.id,
          targetType: 'user',
          targetId: someone.id,
          metadata: { role: 'ADMIN', previousRole: 'USER' },
        }),
      );
      const same = traced();
      const unchanged = await server.api.patch(
        `/v1/users/${someone.id}/role`,
        { role: 'ADMIN' },
        { token: admin.accessToken, headers: same.headers },
      );
      expect(unchanged.status).toBe(200);
      expect(await events({ targetId: someone.id, action: 'user.role.changed' })).toHaveLength(1);
    });

    it("records an API key's creation and revocation in its account's audit, without its secret", async () => {
      const account = await newAccount();
      const create = traced();
      const created = await server.api.post(
        `/v1/accounts/${account.id}/api-keys`,
        { name: 'crm', scopes: ['posts:read'] },
        { token: account.admin.accessToken, headers: create.headers },
      );
      expect(created.status).toBe(201);
      secrets.push(created.body.secret);
      const key = { name: 'crm', scopes: ['posts:read'], prefix: created.body.prefix };
      const createdEvent = await recordedBy(create, 'api-key.created');
      expect(createdEvent).toEqual(
        expected(create, {
          action: 'api-key.created',
          actorType: 'user',
          actorId: account.admin.id,
          targetType: 'api-key',
          targetId: created.body.id,
          metadata: key,
        }),
      );

      const revoke = traced();
      const revoked = await server.api.delete(`/v1/accounts/${account.id}/api-keys/${created.body.id}`, {
        token: account.owner.accessToken,
        headers: revoke.headers,
      });
      expect(revoked.status).toBe(204);
      const revokedEvent = await recordedBy(revoke, 'api-key.revoked');
      expect(revokedEvent).toEqual(
        expected(revoke, {
          action: 'api-key.revoked',
          actorType: 'user',
          actorId: account.owner.id,
          targetType: 'api-key',
          targetId: created.body.id,
          metadata: key,
        }),
      );
      const shown = (await accountEvents(account)).map((event) => event.id);
      expect(shown).toEqual(expect.arrayContaining([createdEvent.id, revokedEvent.id]));
    });

    it("records a member added, changed and removed in the account's audit, on the member", async () => {
      const account = await newAccount();
      const joiner = await user();
      const add = traced();
      const added = await server.api.post(
        `/v1/accounts/${account.id}/members`,
        { userId: joiner.id, role: 'MEMBER' },
        { token: account.admin.accessToken, headers: add.headers },
      );
      expect(added.status).toBe(201);
      const change = traced();
      const changed = await server.api.patch(
        `/v1/accounts/${account.id}/members/${joiner.id}`,
        { role: 'ADMIN' },
        { token: account.owner.accessToken, headers: change.headers },
      );
      expect(changed.status).toBe(200);
      const remove = traced();
      const removed = await server.api.delete(`/v1/accounts/${account.id}/members/${joiner.id}`, {
        token: account.owner.accessToken,
        headers: remove.headers,
      });
      expect(removed.status).toBe(204);

      const member = { targetType: 'user', targetId: joiner.id, actorType: 'user' } as const;
      const recorded = [
        await recordedBy(add, 'member.added'),
        await recordedBy(change, 'member.changed'),
        await recordedBy(remove, 'member.removed'),
      ];
      expect(recorded).toEqual([
        expected(add, {
          ...member,
          action: 'member.added',
          actorId: account.admin.id,
          metadata: { role: 'MEMBER' },
        }),
        expected(change, {
          ...member,
          action: 'member.changed',
          actorId: account.owner.id,
          metadata: { role: 'ADMIN', previousRole: 'MEMBER' },
        }),
        expected(remove, {
          ...member,
          action: 'member.removed',
          actorId: account.owner.id,
          metadata: { role: 'ADMIN', apiKeysRevoked: 0 },
        }),
      ]);
      const shown = await accountEvents(account);
      expect(shown.map((event) => event.id)).toEqual(
        expect.arrayContaining(recorded.map((event) => event.id)),
      );
      // The members the factory added are there too, newest first.
      expect(shown.filter((event) => event.action === 'member.added').map((event) => event.targetId)).toEqual(
        [joiner.id, account.member.id, account.admin.id],
      );
    });

    it("records a webhook created, changed and deleted in the account's audit, without its secret", async () => {
      const account = await newAccount();
      // A receiver's token in the query string stays out of the log (it is walked for every secret).
      const url = 'http://127.0.0.1:9/audit-hook?key=hook-query-token-0123456789';
      secrets.push('hook-query-token-0123456789');
      const create = traced();
      const created = await server.api.post(
        `/v1/accounts/${account.id}/webhooks`,
        { url, events: ['post.created'], description: 'audit' },
        { token: account.owner.accessToken, headers: create.headers },
      );
      expect(created.status).toBe(201);
      secrets.push(created.body.secret);
      const base = `/v1/accounts/${account.id}/webhooks/${created.body.id}`;
      const rotated = await server.api.post(`${base}/rotate-secret`, undefined, {
        token: account.owner.accessToken,
      });
      expect(rotated.status).toBe(200);
      secrets.push(rotated.body.secret);
      const change = traced();
      const changed = await server.api.patch(
        base,
        { enabled: false, description: 'paused' },
        { token: account.admin.accessToken, headers: change.headers },
      );
      expect(changed.status).toBe(200);
      const remove = traced();
      const removed = await server.api.delete(base, {
        token: account.owner.accessToken,
        headers: remove.headers,
      });
      expect(removed.status).toBe(204);

      const webhook = { actorType: 'user', targetType: 'webhook', targetId: created.body.id } as const;
      const where = { url: 'http://127.0.0.1:9/audit-hook?[redacted]', events: ['post.created'] };
      const changedEvent = await recordedBy(change, 'webhook.changed');
      expect(changedEvent).toEqual(
        expected(change, {
          ...webhook,
          action: 'webhook.changed',
          actorId: account.admin.id,
          metadata: { ...where, enabled: false, changed: expect.any(Array) },
        }),
      );
      expect([...(changedEvent.metadata.changed as string[])].sort()).toEqual(['description', 'enabled']);
      const recorded = [
        await recordedBy(create, 'webhook.created'),
        changedEvent,
        await recordedBy(remove, 'webhook.deleted'),
      ];
      expect(recorded[0]).toEqual(
        expected(create, {
          ...webhook,
          action: 'webhook.created',
          actorId: account.owner.id,
          metadata: where,
        }),
      );
      expect(recorded[2]).toEqual(
        expected(remove, {
          ...webhook,
          action: 'webhook.deleted',
          actorId: account.owner.id,
          metadata: where,
        }),
      );
      expect((await accountEvents(account, account.admin.accessToken)).map((event) => event.id)).toEqual(
        expect.arrayContaining(recorded.map((event) => event.id)),
      );
    });

    it('records a post deleted by an account manager or an API key, not by its author', async () => {
      const account = await newAccount();
      const token = account.member.accessToken;
      const byManager = await createPost(server.api, token, { accountId: account.id, title: 'Managed away' });
      const byKey = await createPost(server.api, token, { accountId: account.id, title: 'Keyed away' });
      const byAuthor = await createPost(server.api, token, {
        accountId: account.id,
        title: 'Mine to delete',
      });
      const key = await server.api.post(
        `/v1/accounts/${account.id}/api-keys`,
        { name: 'sync', scopes: ['posts:write'] },
        { token: account.owner.accessToken },
      );
      expect(key.status).toBe(201);
      secrets.push(key.body.secret);

      const manager = traced();
      expect(
        (
          await server.api.delete(`/v1/posts/${byManager.id}`, {
            token: account.admin.accessToken,
            headers: manager.headers,
          })
        ).status,
      ).toBe(204);
      const integration = traced();
      expect(
        (
          await server.api.delete(`/v1/posts/${byKey.id}`, {
            headers: { ...integration.headers, 'x-api-key': key.body.secret },
          })
        ).status,
      ).toBe(204);
      expect((await server.api.delete(`/v1/posts/${byAuthor.id}`, { token })).status).toBe(204);

      const post = { action: 'post.deleted', targetType: 'post' } as const;
      const recorded = [
        await recordedBy(manager, 'post.deleted'),
        await recordedBy(integration, 'post.deleted'),
      ];
      expect(recorded).toEqual([
        expected(manager, {
          ...post,
          actorType: 'user',
          actorId: account.admin.id,
          targetId: byManager.id,
          metadata: { authorId: account.member.id, title: 'Managed away' },
        }),
        expected(integration, {
          ...post,
          actorType: 'api-key',
          actorId: key.body.id,
          targetId: byKey.id,
          metadata: { authorId: account.member.id, title: 'Keyed away' },
        }),
      ]);
      expect(await events({ targetId: byAuthor.id })).toEqual([]);
      expect((await accountEvents(account)).map((event) => event.id)).toEqual(
        expect.arrayContaining(recorded.map((event) => event.id)),
      );
    });

    it('records a post without an account deleted by a platform admin in the admin log only', async () => {
      const author = await user();
      const post = await createPost(server.api, author.accessToken);
      const trace = traced();
      const deleted = await server.api.delete(`/v1/posts/${post.id}`, {
        token: admin.accessToken,
        headers: trace.headers,
      });
      expect(deleted.status).toBe(204);
      expect(await recordedBy(trace, 'post.deleted')).toEqual(
        expected(trace, {
          action: 'post.deleted',
          actorType: 'user',
          actorId: admin.id,
          targetType: 'post',
          targetId: post.id,
          metadata: { authorId: author.id, title: post.title },
        }),
      );
    });
  });

  describe('who reads it', () => {
    it('shows the whole log to platform admins only', async () => {
      const someone = await user();
      expect((await server.api.get('/v1/admin/audit-events')).status).toBe(401);
      const forbidden = await server.api.get('/v1/admin/audit-events', { token: someone.accessToken });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.code).toBe('ROLE_REQUIRED');
      const allowed = await server.api.get('/v1/admin/audit-events', { token: admin.accessToken });
      expect(allowed.status).toBe(200);
      expect(allowed.body.data.length).toBeGreaterThan(0);
    });

    it("shows an account's own events to its OWNERs and ADMINs; 403 to a MEMBER, 404 to others, 401 anonymous", async () => {
      const [account, other] = [await newAccount(), await newAccount()];
      const mine = await server.api.post(
        `/v1/accounts/${account.id}/api-keys`,
        { name: 'mine', scopes: ['posts:read'] },
        { token: account.owner.accessToken },
      );
      const theirs = await server.api.post(
        `/v1/accounts/${other.id}/api-keys`,
        { name: 'theirs', scopes: ['posts:read'] },
        { token: other.owner.accessToken },
      );
      secrets.push(mine.body.secret, theirs.body.secret);
      const path = `/v1/accounts/${account.id}/audit-events`;

      for (const manager of [account.owner, account.admin]) {
        const shown = await server.api.get(path, { token: manager.accessToken });
        expect(shown.status).toBe(200);
        // Its two members and its key; nothing of the other account, nor any login.
        expect(shown.body.data.map((event: AuditEvent) => [event.action, event.targetId])).toEqual([
          ['api-key.created', mine.body.id],
          ['member.added', account.member.id],
          ['member.added', account.admin.id],
        ]);
      }
      const asMember = await server.api.get(path, { token: account.member.accessToken });
      expect(asMember.status).toBe(403);
      expect(asMember.body.code).toBe('ACCOUNT_ROLE_REQUIRED');
      const asOutsider = await server.api.get(path, { token: other.owner.accessToken });
      expect(asOutsider.status).toBe(404);
      expect(asOutsider.body.code).toBe('ACCOUNT_NOT_FOUND');
      expect((await server.api.get(path)).status).toBe(401);
    });
  });

  describe('filters and pages', () => {
    let account: AccountWithMembers;
    let all: AuditEvent[];

    beforeAll(async () => {
      account = await newAccount();
      for (const name of ['one', 'two', 'three']) {
        const key = await server.api.post(
          `/v1/accounts/${account.id}/api-keys`,
          { name, scopes: ['posts:read'] },
          { token: account.owner.accessToken },
        );
        secrets.push(key.body.secret);
      }
      all = await events({ actorId: account.owner.id });
    });

    it('filters by actor, target and action', async () => {
      // Two members added and three keys created, all by the owner.
      expect(all.map((event) => event.action)).toEqual([
        'api-key.created',
        'api-key.created',
        'api-key.created',
        'member.added',
        'member.added',
      ]);
      expect(all.every((event) => event.actorId === account.owner.id)).toBe(true);
      expect(await events({ targetId: account.admin.id, action: 'member.added' })).toEqual([all[4]]);
      expect(await events({ actorId: account.owner.id, action: 'member.added' })).toEqual(all.slice(3));
      expect(await events({ actorId: account.owner.id, action: 'auth.logout' })).toEqual([]);
    });

    it('filters by time, from inclusive and to exclusive', async () => {
      const middle = all[2];
      const from = await events({ actorId: account.owner.id, from: middle.at });
      expect(from).toEqual(all.filter((event) => event.at >= middle.at));
      expect(from).toContainEqual(middle);
      const to = await events({ actorId: account.owner.id, to: middle.at });
      expect(to).toEqual(all.filter((event) => event.at < middle.at));
      expect(to).not.toContainEqual(middle);
      const window = await events({ actorId: account.owner.id, from: all[4].at, to: all[0].at });
      expect(window).toEqual(all.filter((event) => event.at >= all[4].at && event.at < all[0].at));
    });

    it('pages newest first by keyset, in the admin log and in the account audit', async () => {
      const first = await server.api.get(`/v1/admin/audit-events?actorId=${account.owner.id}&limit=1`, {
        token: admin.accessToken,
      });
      expect(first.status).toBe(200);
      expect(first.body.data).toEqual([all[0]]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await server.api.get(
        `/v1/admin/audit-events?actorId=${account.owner.id}&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
        { token: admin.accessToken },
      );
      expect(second.body.data).toEqual([all[1]]);

      const seen: AuditEvent[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `limit=2&action=api-key.created${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await server.api.get(`/v1/accounts/${account.id}/audit-events?${query}`, {
          token: account.owner.accessToken,
        });
        expect(page.status).toBe(200);
        seen.push(...page.body.data);
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all.slice(0, 3));
    });

    it.each([
      ['actorId', 'actorId=not-a-uuid'],
      ['targetId', 'targetId=42'],
      ['action', 'action=user.teleported'],
      ['from', 'from=yesterday'],
      ['to', 'to=2026-13-45T99:00:00Z'],
    ])('refuses a bad %s with a problem naming it', async (field, query) => {
      const response = await server.api.get(`/v1/admin/audit-events?${query}`, {
        token: admin.accessToken,
        invalid: `a bad ${field}`,
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors).toEqual([expect.objectContaining({ field })]);
    });

    it("refuses a bad filter of an account's audit too", async () => {
      const response = await server.api.get(`/v1/accounts/${account.id}/audit-events?action=nope`, {
        token: account.owner.accessToken,
        invalid: 'an unknown action',
      });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'action' })]);
    });
  });

  describe('storage', () => {
    it('refuses to change an event once written', async () => {
      const [event] = await events({ action: 'api-key.created', limit: '1' });
      await expect(
        prisma().$executeRaw`UPDATE audit_events SET action = 'auth.logout' WHERE id = ${event.id}::uuid`,
      ).rejects.toThrow(/append-only/);
      await expect(
        prisma().auditEvent.update({ where: { id: event.id }, data: { metadata: { forged: true } } }),
      ).rejects.toThrow(/append-only/);
      expect(await events({ targetId: event.targetId!, action: event.action })).toEqual([event]);
    });

    it('purges events older than AUDIT_RETENTION_DAYS and keeps the rest', async () => {
      const ago = (days: number) => new Date(Date.now() - days * DAY_MS);
      const old = uuidv7();
      const recent = uuidv7();
      for (const [id, at] of [
        [old, ago(RETENTION_DAYS + 1)],
        [recent, ago(RETENTION_DAYS - 1)],
      ] as const) {
        await prisma().auditEvent.create({
          data: {
            id,
            at,
            action: 'auth.logout',
            actorType: 'system',
            targetType: 'session',
            targetId: id,
          },
        });
      }

      const jobs = server.app.get(JobsService);
      const job = await jobs.send(PURGE_QUEUE, {});
      const deadline = Date.now() + 10_000;
      while ((await jobs.find(PURGE_QUEUE, job))?.state !== 'completed' && Date.now() < deadline) {
        await sleep(50);
      }
      expect((await jobs.find(PURGE_QUEUE, job))?.state).toBe('completed');

      const left = await prisma().auditEvent.findMany({
        where: { id: { in: [old, recent] } },
        select: { id: true },
      });
      expect(left).toEqual([{ id: recent }]);
      // What the tests recorded today is all still there.
      expect((await events({ actorId: admin.id })).length).toBeGreaterThan(0);
    });
  });

  // Last: the walk over every event the tests above made.
  it('never records a secret: no metadata named like one, no password, token, key or signing secret anywhere', async () => {
    const recorded: AuditEvent[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await server.api.get(`/v1/admin/audit-events?${query}`, { token: admin.accessToken });
      expect(page.status).toBe(200);
      recorded.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor);

    const actions = new Set(recorded.map((event) => event.action));
    for (const action of [
      'auth.login.succeeded',
      'auth.login.failed',
      'auth.logout',
      'auth.session.revoked',
      'auth.password.changed',
      'auth.password.reset',
      'user.role.changed',
      'api-key.created',
      'api-key.revoked',
      'member.added',
      'member.changed',
      'member.removed',
      'webhook.created',
      'webhook.changed',
      'webhook.deleted',
      'post.deleted',
    ]) {
      expect(actions).toContain(action);
    }
    expect(secrets.length).toBeGreaterThan(20);
    for (const event of recorded) {
      for (const key of Object.keys(event.metadata)) {
        expect(`${event.action}: ${key}`).not.toMatch(SECRET_KEY);
      }
      const text = JSON.stringify(event);
      for (const secret of secrets) {
        expect(text).not.toContain(secret);
      }
    }
  });
});
