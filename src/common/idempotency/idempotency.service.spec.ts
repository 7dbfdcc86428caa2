import type { FastifyReply } from 'fastify';

import type { AppConfig } from '@/config/config.module';
import { UserNotFoundError } from '@/modules/users/users.errors';
import { apiKeyCaller, userCaller } from '@test/factories/callers';
import { strictFake } from '@test/helpers/strict-fake';

import type { AuthenticatedRequest, AuthUser } from '../auth/auth-user';
import { RequestValidationError } from '../errors/domain-error';
import {
  IdempotencyInFlightError,
  IdempotencyKeyReusedError,
  InvalidIdempotencyKeyError,
} from './idempotency';
import type { IdempotencyRecord, IdempotencyRepository, IdempotentRequest } from './idempotency.repository';
import { IdempotencyService } from './idempotency.service';

const NOW = new Date('2026-01-01T12:00:00Z');
const LEASE_MS = 30_000;
const DAY_MS = 24 * 60 * 60 * 1000;
const later = (ms: number) => new Date(NOW.getTime() + ms);

const user: AuthUser = userCaller();
const apiKey: AuthUser = apiKeyCaller({ id: 'creator' });
const config = strictFake<AppConfig>({ get: () => LEASE_MS });

interface Sent {
  /** null: no Idempotency-Key header. */
  key?: string | string[] | null;
  caller?: AuthUser;
  url?: string;
  body?: unknown;
}

function request({ key = 'key-1', caller = user, url = '/v1/posts', body = { title: 'A' } }: Sent = {}) {
  return strictFake<AuthenticatedRequest>({
    headers: key === null ? {} : { 'idempotency-key': key },
    user: caller,
    method: 'POST',
    url,
    body,
    id: 'req-1',
  });
}

/** A reply that remembers the status and headers set on it. */
function fakeReply() {
  const sent = { status: 200, headers: new Map<string, string>() };
  const reply: FastifyReply = strictFake<FastifyReply>({
    get statusCode() {
      return sent.status;
    },
    status(code: number) {
      sent.status = code;
      return reply;
    },
    header(name: string, value: string) {
      sent.headers.set(name, value);
      return reply;
    },
  });
  return { reply, sent };
}

function stored(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    id: 'r1',
    requestHash: 'hash-of-another-request',
    responseStatus: 201,
    responseBody: { id: 'p1' },
    leaseExpiresAt: later(LEASE_MS),
    expiresAt: later(DAY_MS),
    ...overrides,
  };
}

/** The hash the service computes for a request, read from its claim. */
async function hashOf(sent: Sent = {}): Promise<string> {
  const claim = jest.fn().mockResolvedValue('r1');
  const service = build({ claim, complete: () => Promise.resolve(true) });
  await service.run(request(sent), fakeReply().reply, () => null);
  return (claim.mock.calls[0][0] as IdempotentRequest).requestHash;
}

const build = (records: Partial<IdempotencyRepository>) =>
  new IdempotencyService(strictFake<IdempotencyRepository>(records), config);

describe(IdempotencyService.name, () => {
  beforeEach(() => jest.useFakeTimers({ now: NOW }));
  afterEach(() => jest.useRealTimers());

  describe('what it leaves alone', () => {
    it('runs the handler untouched without a key or without a caller', async () => {
      const service = build({});
      await expect(service.run(request({ key: null }), fakeReply().reply, () => 'a')).resolves.toBe('a');
      const anonymous = strictFake<AuthenticatedRequest>({
        headers: { 'idempotency-key': 'k' },
        user: undefined,
      });
      await expect(service.run(anonymous, fakeReply().reply, () => 'b')).resolves.toBe('b');
    });

    it.each([
      ['empty', ''],
      ['with a space', 'a b'],
      ['not ASCII', 'é'],
      ['too long', 'x'.repeat(256)],
      ['sent twice', ['a', 'b']],
    ])('refuses a key %s before claiming or running anything', async (_, key) => {
      const handle = jest.fn();
      const attempt = build({}).run(request({ key }), fakeReply().reply, handle);
      await expect(attempt).rejects.toThrow(InvalidIdempotencyKeyError);
      await expect(attempt).rejects.toThrow(RequestValidationError);
      expect(handle).not.toHaveBeenCalled();
    });
  });

  describe('a first request', () => {
    it('claims the key for the caller, runs the handler and stores its status and JSON body', async () => {
      const claim = jest.fn().mockResolvedValue('r1');
      const complete = jest.fn().mockResolvedValue(true);
      const { reply } = fakeReply();
      const value = { id: 'p1', createdAt: NOW };

      const result = await build({ claim, complete }).run(
        request({ url: '/v1/posts?draft=1' }),
        reply,
        () => {
          void reply.status(201);
          return value;
        },
      );

      expect(result).toBe(value);
      expect(claim).toHaveBeenCalledWith({
        scope: 'user:u1',
        key: 'key-1',
        userId: 'u1',
        method: 'POST',
        path: '/v1/posts',
        requestHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        leaseExpiresAt: later(LEASE_MS),
        expiresAt: later(DAY_MS),
      });
      expect(complete).toHaveBeenCalledWith(expect.objectContaining({ id: 'r1' }), 201, {
        id: 'p1',
        createdAt: NOW.toISOString(),
      });
    });

    it('scopes the key of an API key caller to that key, with no user', async () => {
      const claim = jest.fn().mockResolvedValue('r1');
      await build({ claim, complete: () => Promise.resolve(true) }).run(
        request({ caller: apiKey }),
        fakeReply().reply,
        () => undefined,
      );
      expect(claim).toHaveBeenCalledWith(expect.objectContaining({ scope: 'key:k1', userId: null }));
    });

    it('tells requests apart by path and body', async () => {
      const hash = await hashOf();
      await expect(hashOf()).resolves.toBe(hash);
      await expect(hashOf({ body: { title: 'B' } })).resolves.not.toBe(hash);
      await expect(hashOf({ url: '/v1/chats' })).resolves.not.toBe(hash);
    });
  });

  describe('a retry', () => {
    it('replays the stored status and body, marked replayed, without running the handler', async () => {
      const requestHash = await hashOf();
      const handle = jest.fn();
      const { reply, sent } = fakeReply();
      const service = build({
        claim: () => Promise.resolve(null),
        find: () => Promise.resolve(stored({ requestHash })),
      });

      await expect(service.run(request(), reply, handle)).resolves.toEqual({ id: 'p1' });
      expect(handle).not.toHaveBeenCalled();
      expect(sent.status).toBe(201);
      expect(Object.fromEntries(sent.headers)).toEqual({ 'idempotent-replayed': 'true' });
    });

    it('replays a stored refusal as problem details', async () => {
      const requestHash = await hashOf();
      const { reply, sent } = fakeReply();
      const service = build({
        claim: () => Promise.resolve(null),
        find: () =>
          Promise.resolve(stored({ requestHash, responseStatus: 404, responseBody: { status: 404 } })),
      });

      await service.run(request(), reply, jest.fn());
      expect(sent.status).toBe(404);
      expect(sent.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    });

    it('refuses the key sent with a different request', async () => {
      const handle = jest.fn();
      const service = build({ claim: () => Promise.resolve(null), find: () => Promise.resolve(stored()) });
      const attempt = service.run(request(), fakeReply().reply, handle);
      await expect(attempt).rejects.toThrow(IdempotencyKeyReusedError);
      await expect(attempt).rejects.toHaveProperty('code', 'IDEMPOTENCY_KEY_REUSED');
      expect(handle).not.toHaveBeenCalled();
    });
  });

  describe('a request while the first is unfinished', () => {
    async function unfinished(leaseExpiresAt: Date, records: Partial<IdempotencyRepository> = {}) {
      const requestHash = await hashOf();
      return build({
        claim: () => Promise.resolve(null),
        find: () => Promise.resolve(stored({ requestHash, responseStatus: null, leaseExpiresAt })),
        ...records,
      });
    }

    it('answers in flight while the first holds its lease, without trying to take it over', async () => {
      const handle = jest.fn();
      const attempt = (await unfinished(later(1))).run(request(), fakeReply().reply, handle);
      await expect(attempt).rejects.toThrow(IdempotencyInFlightError);
      await expect(attempt).rejects.toHaveProperty('code', 'IDEMPOTENCY_IN_FLIGHT');
      expect(handle).not.toHaveBeenCalled();
    });

    it('takes over a claim whose lease ran out, with a new lease, and completes it', async () => {
      const takeOver = jest.fn().mockResolvedValue(true);
      const complete = jest.fn().mockResolvedValue(true);
      const service = await unfinished(NOW, { takeOver, complete });

      await expect(service.run(request(), fakeReply().reply, () => 'done')).resolves.toBe('done');
      expect(takeOver).toHaveBeenCalledWith('r1', NOW, later(LEASE_MS));
      // Completed as the holder of the new lease: the request it took over from cannot overwrite it.
      expect(complete).toHaveBeenCalledWith({ id: 'r1', lease: later(LEASE_MS) }, 200, 'done');
    });

    it('answers in flight when another request took the lapsed claim over first', async () => {
      const handle = jest.fn();
      const service = await unfinished(later(-1), { takeOver: () => Promise.resolve(false) });
      await expect(service.run(request(), fakeReply().reply, handle)).rejects.toThrow(
        IdempotencyInFlightError,
      );
      expect(handle).not.toHaveBeenCalled();
    });
  });

  describe('a record that is gone', () => {
    it('deletes an expired record and claims the key afresh', async () => {
      const claim = jest.fn().mockResolvedValueOnce(null).mockResolvedValueOnce('r2');
      const deleteIfExpired = jest.fn().mockResolvedValue(true);
      const complete = jest.fn().mockResolvedValue(true);
      const service = build({
        claim,
        find: () => Promise.resolve(stored({ expiresAt: NOW })),
        deleteIfExpired,
        complete,
      });

      await service.run(request(), fakeReply().reply, () => 'fresh');
      expect(deleteIfExpired).toHaveBeenCalledWith('user:u1', 'key-1', NOW);
      expect(complete).toHaveBeenCalledWith(expect.objectContaining({ id: 'r2' }), 200, 'fresh');
    });

    it('tries the claim once more when the record vanished, then answers in flight', async () => {
      const claim = jest.fn().mockResolvedValue(null);
      const service = build({ claim, find: () => Promise.resolve(null) });
      await expect(service.run(request(), fakeReply().reply, jest.fn())).rejects.toThrow(
        IdempotencyInFlightError,
      );
      expect(claim).toHaveBeenCalledTimes(2);
    });
  });

  describe('a handler that fails', () => {
    it('keeps a refusal for replay, as the problem details sent, and rethrows it', async () => {
      const complete = jest.fn().mockResolvedValue(true);
      const refusal = new UserNotFoundError();
      const service = build({ claim: () => Promise.resolve('r1'), complete });

      await expect(
        service.run(request({ url: '/v1/posts?x=1' }), fakeReply().reply, () => Promise.reject(refusal)),
      ).rejects.toBe(refusal);
      expect(complete).toHaveBeenCalledWith(
        expect.objectContaining({ id: 'r1' }),
        404,
        expect.objectContaining({
          status: 404,
          code: 'USER_NOT_FOUND',
          instance: '/v1/posts',
          requestId: 'req-1',
        }),
      );
    });

    it.each([
      ['a validation error', new RequestValidationError([{ field: 'title', message: 'required' }])],
      ['a server error', new Error('boom')],
    ])('forgets the claim after %s, so the key may be sent again', async (_, failure) => {
      const release = jest.fn().mockResolvedValue(undefined);
      const service = build({ claim: () => Promise.resolve('r1'), release });
      await expect(service.run(request(), fakeReply().reply, () => Promise.reject(failure))).rejects.toBe(
        failure,
      );
      expect(release).toHaveBeenCalledWith(expect.objectContaining({ id: 'r1' }));
    });
  });
});
