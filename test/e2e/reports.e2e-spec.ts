import { PrismaService } from 'nestjs-prisma';

import { AuthService } from '@/modules/auth/auth.service';

import { createAccountWithMembers, createApiKey } from '../factories/accounts';
import { createPost } from '../factories/posts';
import { RegisteredUser, registerUser } from '../factories/users';
import { SteppingClock } from '../helpers/stepping-clock';
import { useTestApp } from '../helpers/test-app';

const UNKNOWN_ID = '01a211c9-1ada-701a-b52d-5e455dc3d299';

interface Report {
  id: string;
  postId: string;
  createdAt: string;
  status: string;
}

describe('reports', () => {
  // Each time the service writes is strictly after the last: reports order without sleeping.
  const server = useTestApp({}, { clock: new SteppingClock() });
  let author: RegisteredUser;
  let admin: RegisteredUser;
  let reporter: RegisteredUser;

  beforeAll(async () => {
    author = await registerUser(server.api);
    reporter = await registerUser(server.api);
    admin = await registerUser(server.api);
    await server.app.get(AuthService).promoteAdmin(admin.email);
  });

  const report = (postId: string, user: RegisteredUser, body: object = { reason: 'FRAUD' }) =>
    server.api.post(`/v1/posts/${postId}/reports`, body, { token: user.accessToken });

  const resolve = (reportId: string, body: object, token = admin.accessToken) =>
    server.api.post(`/v1/admin/reports/${reportId}/resolve`, body, { token });

  const reportsOf = (postId: string) => server.app.get(PrismaService).report.count({ where: { postId } });

  /** Every report of a list, walking its pages. */
  async function walk(status: 'open' | 'resolved', limit = 2): Promise<Report[]> {
    const all: Report[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/admin/reports?status=${status}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await server.api.get(query, { token: admin.accessToken });
      expect(page.status).toBe(200);
      all.push(...(page.body.data as Report[]));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    return all;
  }

  describe('filing', () => {
    it('files a report (201, Location), then answers 200 with the same open report', async () => {
      const post = await createPost(server.api, author.accessToken);
      const first = await report(post.id, reporter, { reason: 'FRAUD', note: 'Asks for a deposit first.' });
      expect(first.status).toBe(201);
      expect(first.headers.get('location')).toBe(`/v1/admin/reports/${first.body.id}`);
      expect(first.body).toEqual({
        id: expect.any(String),
        postId: post.id,
        reporterId: reporter.id,
        reason: 'FRAUD',
        note: 'Asks for a deposit first.',
        status: 'open',
        action: null,
        resolutionNote: null,
        resolvedById: null,
        resolvedAt: null,
        createdAt: expect.any(String),
      });

      const again = await report(post.id, reporter, { reason: 'SPAM' });
      expect(again.status).toBe(200);
      expect(again.headers.get('location')).toBeNull();
      expect(again.body).toEqual(first.body);

      const other = await registerUser(server.api);
      const second = await report(post.id, other, { reason: 'OFFENSIVE' });
      expect(second.status).toBe(201);
      expect(second.body.id).not.toBe(first.body.id);
      expect(second.body.reporterId).toBe(other.id);
      expect(await reportsOf(post.id)).toBe(2);
    });

    it('keeps one open report after ten concurrent identical reports, with no server error', async () => {
      const post = await createPost(server.api, author.accessToken);
      const responses = await Promise.all(Array.from({ length: 10 }, () => report(post.id, reporter)));
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 200)).toHaveLength(9);
      expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
      expect(await reportsOf(post.id)).toBe(1);
    });

    it('refuses a bad reason or note with 400 naming the field, and writes nothing', async () => {
      const post = await createPost(server.api, author.accessToken);
      const cases: [object, string, string][] = [
        [{}, 'reason', 'a missing reason'],
        [{ reason: 'BORING' }, 'reason', 'an unknown reason'],
        [{ reason: 'SPAM', note: 'x'.repeat(1001) }, 'note', 'a note over 1000 characters'],
        [{ reason: 'SPAM', note: 42 }, 'note', 'a note that is not a string'],
        [{ reason: 'SPAM', note: null }, 'note', 'a null note'],
        [{ reason: 'SPAM', note: 'a\u0000b' }, 'note', 'a note with a NUL character'],
        [{ reason: 'SPAM', severity: 3 }, 'severity', 'a field the body does not have'],
      ];
      for (const [body, field, why] of cases) {
        const response = await server.api.post(`/v1/posts/${post.id}/reports`, body, {
          token: reporter.accessToken,
          invalid: why,
        });
        expect({ why, status: response.status }).toEqual({ why, status: 400 });
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
      expect(await reportsOf(post.id)).toBe(0);
      const longest = await report(post.id, reporter, { reason: 'OTHER', note: 'é'.repeat(1000) });
      expect(longest.status).toBe(201);
    });

    it('answers 404 for an unknown post and 400 for a malformed id', async () => {
      const unknown = await report(UNKNOWN_ID, reporter);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('POST_NOT_FOUND');
      const malformed = await server.api.post(
        '/v1/posts/x/reports',
        { reason: 'SPAM' },
        { token: reporter.accessToken, invalid: 'a malformed post id' },
      );
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors[0].field).toBe('id');
    });

    it('needs a signed-in person: 401 anonymous, 403 for an API key', async () => {
      const post = await createPost(server.api, author.accessToken);
      const anonymous = await server.api.post(`/v1/posts/${post.id}/reports`, { reason: 'SPAM' });
      expect(anonymous.status).toBe(401);
      const account = await createAccountWithMembers(server.api);
      const key = await createApiKey(server.api, account.id, account.owner.accessToken, [
        'posts:read',
        'posts:write',
      ]);
      const byKey = await server.api.post(
        `/v1/posts/${post.id}/reports`,
        { reason: 'SPAM' },
        { headers: { 'x-api-key': key } },
      );
      expect(byKey.status).toBe(403);
      expect(byKey.body.code).toBe('API_KEY_NOT_ACCEPTED');
      expect(await reportsOf(post.id)).toBe(0);
    });
  });

  describe('moderation', () => {
    it('lets only admins list, read and resolve: 401 anonymous, 403 user, 2xx admin', async () => {
      const post = await createPost(server.api, author.accessToken);
      const filed = await report(post.id, reporter);
      const id = filed.body.id as string;

      for (const path of ['/v1/admin/reports', `/v1/admin/reports/${id}`]) {
        expect((await server.api.get(path)).status).toBe(401);
        const user = await server.api.get(path, { token: reporter.accessToken });
        expect(user.status).toBe(403);
        expect(user.body.code).toBe('ROLE_REQUIRED');
        expect((await server.api.get(path, { token: admin.accessToken })).status).toBe(200);
      }
      expect((await server.api.post(`/v1/admin/reports/${id}/resolve`, { action: 'DISMISS' })).status).toBe(
        401,
      );
      const byUser = await resolve(id, { action: 'HIDE_POST' }, reporter.accessToken);
      expect(byUser.status).toBe(403);
      expect(byUser.body.code).toBe('ROLE_REQUIRED');
      expect((await server.api.get(`/v1/posts/${post.id}`)).status).toBe(200);

      const resolved = await resolve(id, { action: 'DISMISS' });
      expect(resolved.status).toBe(200);
      const one = await server.api.get(`/v1/admin/reports/${id}`, { token: admin.accessToken });
      expect(one.body).toEqual(resolved.body);
      expect(
        (await server.api.get(`/v1/admin/reports/${UNKNOWN_ID}`, { token: admin.accessToken })).body.code,
      ).toBe('REPORT_NOT_FOUND');
    });

    it('lists open reports oldest first, page by page, and resolved ones newest first', async () => {
      const filed: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const post = await createPost(server.api, author.accessToken);
        filed.push((await report(post.id, reporter)).body.id as string);
      }
      const open = await walk('open');
      expect(open.every((item) => item.status === 'open')).toBe(true);
      expect(open.map((item) => item.id).filter((id) => filed.includes(id))).toEqual(filed);
      const order = open.map((item) => `${item.createdAt} ${item.id}`);
      expect(order).toEqual([...order].sort());
      expect(new Set(order).size).toBe(order.length);

      for (const id of filed) {
        expect((await resolve(id, { action: 'DISMISS' })).status).toBe(200);
      }
      const resolved = await walk('resolved');
      expect(resolved.every((item) => item.status === 'resolved')).toBe(true);
      expect(resolved.map((item) => item.id).filter((id) => filed.includes(id))).toEqual(
        [...filed].reverse(),
      );
      const newest = resolved.map((item) => `${item.createdAt} ${item.id}`);
      expect(newest).toEqual([...newest].sort().reverse());
      expect((await walk('open')).map((item) => item.id).filter((id) => filed.includes(id))).toEqual([]);
    });

    it('refuses a cursor of the open queue on the resolved list, and an unknown status', async () => {
      for (let i = 0; i < 2; i += 1) {
        await report((await createPost(server.api, author.accessToken)).id, reporter);
      }
      const page = await server.api.get('/v1/admin/reports?limit=1', { token: admin.accessToken });
      expect(page.body.nextCursor).toEqual(expect.any(String));
      const crossed = await server.api.get(
        `/v1/admin/reports?status=resolved&limit=1&cursor=${page.body.nextCursor}`,
        { token: admin.accessToken },
      );
      expect(crossed.status).toBe(400);
      expect(crossed.body.code).toBe('INVALID_CURSOR');
      const unknown = await server.api.get('/v1/admin/reports?status=closed', {
        token: admin.accessToken,
        invalid: 'an unknown status',
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors[0].field).toBe('status');
    });

    it('dismisses one report: the post stays visible and its other reports stay open', async () => {
      const post = await createPost(server.api, author.accessToken);
      const other = await registerUser(server.api);
      const dismissed = (await report(post.id, reporter)).body.id as string;
      const kept = (await report(post.id, other)).body.id as string;
      const response = await resolve(dismissed, { action: 'DISMISS', note: 'An ordinary deposit.' });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: dismissed,
        status: 'resolved',
        action: 'DISMISS',
        resolutionNote: 'An ordinary deposit.',
        resolvedById: admin.id,
        resolvedAt: expect.any(String),
      });
      expect((await server.api.get(`/v1/posts/${post.id}`)).status).toBe(200);
      expect((await server.api.get(`/v1/posts/${post.id}`, { token: other.accessToken })).status).toBe(200);
      const stillOpen = await server.api.get(`/v1/admin/reports/${kept}`, { token: admin.accessToken });
      expect(stillOpen.body.status).toBe('open');
    });

    it('hides the post: 404 to others, out of lists, shown to its author and admins, its reports all resolved', async () => {
      const post = await createPost(server.api, author.accessToken);
      const other = await registerUser(server.api);
      const first = (await report(post.id, reporter)).body.id as string;
      const second = (await report(post.id, other, { reason: 'SPAM' })).body.id as string;
      const listed = (token?: string) =>
        server.api.get(`/v1/posts?city=${encodeURIComponent(post.city)}`, token ? { token } : {});
      expect((await listed()).body.data.map((item: { id: string }) => item.id)).toEqual([post.id]);

      const response = await resolve(first, { action: 'HIDE_POST' });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: first, status: 'resolved', action: 'HIDE_POST' });
      const alsoResolved = await server.api.get(`/v1/admin/reports/${second}`, { token: admin.accessToken });
      expect(alsoResolved.body).toMatchObject({
        status: 'resolved',
        action: 'HIDE_POST',
        resolvedById: admin.id,
      });
      expect((await resolve(second, { action: 'DISMISS' })).body.code).toBe('REPORT_ALREADY_RESOLVED');
      const hiddenAt = await server.app
        .get(PrismaService)
        .post.findUniqueOrThrow({ where: { id: post.id }, select: { hiddenAt: true } });
      expect(hiddenAt.hiddenAt).toBeInstanceOf(Date);

      // These depend on the visibility rule of the posts module (reads and lists filter on `visible`).
      expect((await server.api.get(`/v1/posts/${post.id}`)).status).toBe(404);
      expect((await server.api.get(`/v1/posts/${post.id}`, { token: other.accessToken })).status).toBe(404);
      expect((await listed()).body.data).toEqual([]);
      expect((await listed(other.accessToken)).body.data).toEqual([]);
      const own = await server.api.get(`/v1/posts/${post.id}`, { token: author.accessToken });
      expect(own.status).toBe(200);
      expect(own.body.hidden).toBe(true);
      expect((await server.api.get(`/v1/posts/${post.id}`, { token: admin.accessToken })).status).toBe(200);

      // A hidden post cannot be reported any more.
      const third = await registerUser(server.api);
      const late = await report(post.id, third);
      expect(late.status).toBe(404);
      expect(late.body.code).toBe('POST_NOT_FOUND');
    });

    it('resolves a report once: 409 the second time, 404 for an unknown report, one winner of a race', async () => {
      const post = await createPost(server.api, author.accessToken);
      const id = (await report(post.id, reporter)).body.id as string;
      expect((await resolve(id, { action: 'DISMISS' })).status).toBe(200);
      const twice = await resolve(id, { action: 'HIDE_POST' });
      expect(twice.status).toBe(409);
      expect(twice.body.code).toBe('REPORT_ALREADY_RESOLVED');
      expect((await server.api.get(`/v1/posts/${post.id}`)).status).toBe(200);
      const unknown = await resolve(UNKNOWN_ID, { action: 'DISMISS' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('REPORT_NOT_FOUND');

      const raced = (await report(post.id, reporter)).body.id as string;
      const responses = await Promise.all([
        resolve(raced, { action: 'DISMISS' }),
        resolve(raced, { action: 'HIDE_POST' }),
        resolve(raced, { action: 'DISMISS' }),
      ]);
      expect(responses.map((response) => response.status).sort()).toEqual([200, 409, 409]);
      const winner = responses.find((response) => response.status === 200)!;
      const events = await server.api.get(`/v1/admin/audit-events?action=report.resolved&targetId=${raced}`, {
        token: admin.accessToken,
      });
      expect(events.body.data).toHaveLength(1);
      expect(events.body.data[0].metadata.action).toBe(winner.body.action);
    });

    it('refuses a bad resolution with 400 naming the field, and leaves the report open', async () => {
      const post = await createPost(server.api, author.accessToken);
      const id = (await report(post.id, reporter)).body.id as string;
      for (const [body, field, why] of [
        [{}, 'action', 'a missing action'],
        [{ action: 'DELETE_POST' }, 'action', 'an unknown action'],
        [{ action: 'DISMISS', note: 'x'.repeat(1001) }, 'note', 'a note over 1000 characters'],
      ] as const) {
        const response = await server.api.post(`/v1/admin/reports/${id}/resolve`, body, {
          token: admin.accessToken,
          invalid: why,
        });
        expect(response.status).toBe(400);
        expect(response.body.errors[0].field).toBe(field);
      }
      expect(
        (await server.api.get(`/v1/admin/reports/${id}`, { token: admin.accessToken })).body.status,
      ).toBe('open');
    });

    it('lets the reporter report the post again once their report is resolved', async () => {
      const post = await createPost(server.api, author.accessToken);
      const first = (await report(post.id, reporter)).body.id as string;
      expect((await resolve(first, { action: 'DISMISS' })).status).toBe(200);
      const again = await report(post.id, reporter, { reason: 'OTHER', note: 'It is back, same scam.' });
      expect(again.status).toBe(201);
      expect(again.body.id).not.toBe(first);
      expect(again.body.status).toBe('open');
      expect((await report(post.id, reporter)).body.id).toBe(again.body.id);
      expect(await reportsOf(post.id)).toBe(2);
    });

    it('records report.resolved with the admin as actor, for each report the decision resolved', async () => {
      const post = await createPost(server.api, author.accessToken);
      const other = await registerUser(server.api);
      const first = (await report(post.id, reporter, { reason: 'FRAUD' })).body.id as string;
      const second = (await report(post.id, other, { reason: 'SPAM' })).body.id as string;
      await resolve(first, { action: 'HIDE_POST', note: 'Confirmed.' });

      const events = await server.api.get(`/v1/admin/audit-events?action=report.resolved&targetId=${first}`, {
        token: admin.accessToken,
      });
      expect(events.status).toBe(200);
      expect(events.body.data).toEqual([
        expect.objectContaining({
          action: 'report.resolved',
          actorType: 'user',
          actorId: admin.id,
          targetType: 'report',
          targetId: first,
          requestId: expect.any(String),
          metadata: { action: 'HIDE_POST', postId: post.id, reason: 'FRAUD' },
        }),
      ]);
      const alongside = await server.api.get(
        `/v1/admin/audit-events?action=report.resolved&targetId=${second}`,
        { token: admin.accessToken },
      );
      expect(alongside.body.data).toEqual([
        expect.objectContaining({
          actorId: admin.id,
          metadata: { action: 'HIDE_POST', postId: post.id, reason: 'SPAM', resolvedWith: first },
        }),
      ]);
      const byAdmin = await server.api.get(
        `/v1/admin/audit-events?actorId=${admin.id}&action=report.resolved`,
        {
          token: admin.accessToken,
        },
      );
      expect(byAdmin.body.data.map((event: { targetId: string }) => event.targetId)).toEqual(
        expect.arrayContaining([first, second]),
      );
    });
  });

  describe('unhiding', () => {
    const unhide = (postId: string, token = admin.accessToken) =>
      server.api.post(`/v1/admin/posts/${postId}/unhide`, undefined, { token });
    const unhiddenEvents = async (postId: string) =>
      (
        await server.api.get(`/v1/admin/audit-events?action=post.unhidden&targetId=${postId}`, {
          token: admin.accessToken,
        })
      ).body.data as { actorId: string; metadata: Record<string, unknown> }[];

    async function hiddenPost(): Promise<{ id: string; reportId: string }> {
      const post = await createPost(server.api, author.accessToken);
      const reportId = (await report(post.id, reporter)).body.id as string;
      expect((await resolve(reportId, { action: 'HIDE_POST' })).status).toBe(200);
      expect((await server.api.get(`/v1/posts/${post.id}`)).status).toBe(404);
      return { id: post.id, reportId };
    }

    it('shows a hidden post again, its reports still resolved; recorded once, a second call changes nothing', async () => {
      const post = await hiddenPost();
      const response = await unhide(post.id);
      expect(response.status).toBe(204);
      const shown = await server.api.get(`/v1/posts/${post.id}`);
      expect(shown.status).toBe(200);
      expect(shown.body.hidden).toBeUndefined();
      const own = await server.api.get(`/v1/posts/${post.id}`, { token: author.accessToken });
      expect(own.body.hidden).toBeUndefined();
      const resolved = await server.api.get(`/v1/admin/reports/${post.reportId}`, {
        token: admin.accessToken,
      });
      expect(resolved.body).toMatchObject({ status: 'resolved', action: 'HIDE_POST' });
      expect(await unhiddenEvents(post.id)).toEqual([
        expect.objectContaining({ actorId: admin.id, metadata: { hiddenSince: expect.any(String) } }),
      ]);

      expect((await unhide(post.id)).status).toBe(204);
      expect(await unhiddenEvents(post.id)).toHaveLength(1);
    });

    it('lets only admins unhide: 401 anonymous, 403 for the author and others; 404 for an unknown post', async () => {
      const post = await hiddenPost();
      expect((await server.api.post(`/v1/admin/posts/${post.id}/unhide`)).status).toBe(401);
      for (const user of [author, reporter]) {
        const refused = await unhide(post.id, user.accessToken);
        expect(refused.status).toBe(403);
        expect(refused.body.code).toBe('ROLE_REQUIRED');
      }
      expect((await server.api.get(`/v1/posts/${post.id}`)).status).toBe(404);
      expect(await unhiddenEvents(post.id)).toEqual([]);
      const unknown = await unhide(UNKNOWN_ID);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('POST_NOT_FOUND');
      const malformed = await server.api.post('/v1/admin/posts/not-a-uuid/unhide', undefined, {
        token: admin.accessToken,
        invalid: 'a malformed id',
      });
      expect(malformed.status).toBe(400);
    });

    it("keeps a suspended author's post withheld until the suspension is lifted", async () => {
      const writer = await registerUser(server.api);
      const post = await createPost(server.api, writer.accessToken);
      const reportId = (await report(post.id, reporter)).body.id as string;
      expect((await resolve(reportId, { action: 'HIDE_POST' })).status).toBe(200);
      const suspended = await server.api.post(
        `/v1/admin/users/${writer.id}/suspend`,
        { reason: 'Fraud ring.' },
        { token: admin.accessToken },
      );
      expect(suspended.status).toBe(204);
      expect((await unhide(post.id)).status).toBe(204);
      expect((await server.api.get(`/v1/posts/${post.id}`)).status).toBe(404);
      const lifted = await server.api.post(`/v1/admin/users/${writer.id}/unsuspend`, undefined, {
        token: admin.accessToken,
      });
      expect(lifted.status).toBe(204);
      expect((await server.api.get(`/v1/posts/${post.id}`)).status).toBe(200);
    });
  });
});
