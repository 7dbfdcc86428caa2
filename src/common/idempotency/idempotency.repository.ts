import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';

const RECORD_SELECT = {
  id: true,
  requestHash: true,
  responseStatus: true,
  responseBody: true,
  leaseExpiresAt: true,
  expiresAt: true,
} satisfies Prisma.IdempotencyRecordSelect;

/** A response body as stored for replay. */
export type StoredBody = Prisma.InputJsonValue;

export type IdempotencyRecord = Prisma.IdempotencyRecordGetPayload<{ select: typeof RECORD_SELECT }>;

export interface IdempotentRequest {
  scope: string;
  key: string;
  userId: string | null;
  method: string;
  path: string;
  requestHash: string;
  leaseExpiresAt: Date;
  expiresAt: Date;
}

/**
 * Who holds a claim: its record and the lease this request set, which a takeover replaces (a later
 * time), so the lease also tells one holder from the next.
 */
export interface ClaimHold {
  id: string;
  lease: Date;
}

@Injectable()
export class IdempotencyRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Claims a key for a request (INSERT ... ON CONFLICT DO NOTHING on the unique scope and key): the
   * id of the new record, or null when the key is taken, so concurrent requests leave one row.
   */
  async claim(request: IdempotentRequest): Promise<string | null> {
    const { count } = await this.prisma.idempotencyRecord.createMany({
      data: [request],
      skipDuplicates: true,
    });
    if (count === 0) {
      return null;
    }
    const record = await this.prisma.idempotencyRecord.findUnique({
      where: { scope_key: { scope: request.scope, key: request.key } },
      select: { id: true },
    });
    return record?.id ?? null;
  }

  find(scope: string, key: string): Promise<IdempotencyRecord | null> {
    return this.prisma.idempotencyRecord.findUnique({
      where: { scope_key: { scope, key } },
      select: RECORD_SELECT,
    });
  }

  /**
   * Takes over a claim whose request never finished and whose lease has run out (one conditional
   * statement: of two requests taking it over at once, one wins). True when this one did.
   */
  async takeOver(id: string, now: Date, leaseExpiresAt: Date): Promise<boolean> {
    const { count } = await this.prisma.idempotencyRecord.updateMany({
      where: { id, responseStatus: null, leaseExpiresAt: { lte: now } },
      data: { leaseExpiresAt },
    });
    return count > 0;
  }

  /**
   * Stores the response of a claim, if `hold` still holds it: a request that outlived its lease (and
   * was taken over) neither overwrites nor deletes the new holder's record. False when it no longer did.
   */
  async complete(hold: ClaimHold, status: number, body: StoredBody | null): Promise<boolean> {
    const { count } = await this.prisma.idempotencyRecord.updateMany({
      where: { id: hold.id, leaseExpiresAt: hold.lease, responseStatus: null },
      data: { responseStatus: status, responseBody: body ?? Prisma.JsonNull, completedAt: new Date() },
    });
    return count > 0;
  }

  /** Forgets a claim `hold` still holds (the request was not processed), so the key may be used again. */
  async release(hold: ClaimHold): Promise<void> {
    await this.prisma.idempotencyRecord.deleteMany({
      where: { id: hold.id, leaseExpiresAt: hold.lease, responseStatus: null },
    });
  }

  /** Deletes up to `limit` expired records (one statement, along the index on expires_at); the count. */
  deleteExpired(now: Date, limit: number): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM idempotency_records WHERE id IN (
        SELECT id FROM idempotency_records WHERE expires_at <= ${now}::timestamptz LIMIT ${limit}::int)`;
  }

  /** Deletes the record of a key if it has expired; true when it did. */
  async deleteIfExpired(scope: string, key: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.idempotencyRecord.deleteMany({
      where: { scope, key, expiresAt: { lte: now } },
    });
    return count > 0;
  }
}
