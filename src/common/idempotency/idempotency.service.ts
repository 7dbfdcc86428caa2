import { createHash } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { AppConfig } from '@/config/config.module';

import type { AuthenticatedRequest } from '../auth/auth-user';
import { RequestValidationError } from '../errors/domain-error';
import { problemBody, toProblem } from '../errors/problem';
import { PROBLEM_CONTENT_TYPE } from '../openapi/problem-responses.decorator';
import {
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_TTL_MS,
  IdempotencyInFlightError,
  IdempotencyKeyReusedError,
  InvalidIdempotencyKeyError,
  KEY_PATTERN,
  REPLAYED_HEADER,
} from './idempotency';
import { ClaimHold, IdempotencyRepository, StoredBody } from './idempotency.repository';

type Claim = Parameters<IdempotencyRepository['claim']>[0];

/**
 * Safe retries of POSTs (`Idempotency-Key`), scoped to the caller (a user or an API key), for 24
 * hours: the first request is processed and its status and body kept; the same key with the same
 * request replays them (`Idempotent-Replayed: true`) and writes nothing; with another request it is
 * a 422; while the first is in flight, a 409, for as long as its lease (IDEMPOTENCY_LEASE_MS): past it, a request with
 * the key takes the claim over, so a request that crashed half-way does not block its key for a day. A request failing with a validation error or a server
 * error is forgotten so that it can be sent again.
 */
@Injectable()
export class IdempotencyService {
  private readonly leaseMs: number;

  constructor(
    private readonly records: IdempotencyRepository,
    config: AppConfig,
  ) {
    this.leaseMs = config.get('IDEMPOTENCY_LEASE_MS', { infer: true });
  }

  /**
   * Runs a handler of an authenticated request under its `Idempotency-Key`, if it has one, and gives
   * the body to send (the handler's, or the one replayed, whose status it sets on `reply`).
   */
  async run(request: AuthenticatedRequest, reply: FastifyReply, handle: () => unknown): Promise<unknown> {
    const key = request.headers[IDEMPOTENCY_HEADER];
    const caller = request.user;
    if (key === undefined || !caller) {
      return handle();
    }
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new InvalidIdempotencyKeyError();
    }
    const path = request.url.split('?')[0];
    const claim: Claim = {
      scope: caller.kind === 'api-key' ? `key:${caller.keyId}` : `user:${caller.id}`,
      key,
      userId: caller.kind === 'user' ? caller.id : null,
      method: request.method,
      path,
      requestHash: createHash('sha256')
        .update(JSON.stringify([request.method, path, request.body ?? null]))
        .digest('hex'),
      leaseExpiresAt: new Date(Date.now() + this.leaseMs),
      expiresAt: new Date(Date.now() + IDEMPOTENCY_TTL_MS),
    };
    const outcome = await this.claimOrReplay(claim);
    if (outcome.kind === 'replay') {
      void reply.status(outcome.status).header(REPLAYED_HEADER, 'true');
      if (outcome.status >= 400) {
        void reply.header('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
      }
      return outcome.body;
    }
    const hold: ClaimHold = { id: outcome.id, lease: claim.leaseExpiresAt };
    let value: unknown;
    try {
      value = await handle();
    } catch (error) {
      return this.settleFailure(hold, error, path, String(request.id));
    }
    // Outside the try: the change is made, so a failure to store its response must not release the
    // key (a retry would repeat the change at once); the claim then holds the key until its lease ends.
    await this.records.complete(hold, reply.statusCode, toJson(value));
    return value;
  }

  private async claimOrReplay(
    claim: Claim,
  ): Promise<{ kind: 'claimed'; id: string } | { kind: 'replay'; status: number; body: unknown }> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const id = await this.records.claim(claim);
      if (id) {
        return { kind: 'claimed', id };
      }
      const existing = await this.records.find(claim.scope, claim.key);
      if (!existing) {
        continue;
      }
      if (existing.expiresAt <= new Date()) {
        await this.records.deleteIfExpired(claim.scope, claim.key, new Date());
        continue;
      }
      if (existing.requestHash !== claim.requestHash) {
        throw new IdempotencyKeyReusedError();
      }
      if (existing.responseStatus === null) {
        // In flight, or abandoned: a request that crashed half-way holds its key only for the lease.
        const now = new Date();
        if (
          existing.leaseExpiresAt <= now &&
          (await this.records.takeOver(existing.id, now, claim.leaseExpiresAt))
        ) {
          return { kind: 'claimed', id: existing.id };
        }
        throw new IdempotencyInFlightError();
      }
      return { kind: 'replay', status: existing.responseStatus, body: existing.responseBody };
    }
    throw new IdempotencyInFlightError();
  }

  /** Keeps a refusal (4xx) for replay; forgets the claim after a validation error or a server error. */
  private async settleFailure(
    hold: ClaimHold,
    error: unknown,
    path: string,
    requestId: string,
  ): Promise<never> {
    const problem = toProblem(error);
    if (error instanceof RequestValidationError || problem.status >= 500) {
      await this.records.release(hold);
    } else {
      await this.records.complete(hold, problem.status, problemBody(problem, path, requestId) as StoredBody);
    }
    throw error;
  }
}

/** The body as it is sent: JSON, with dates as strings. */
function toJson(value: unknown): StoredBody | null {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as StoredBody);
}
