import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';

import type { ApiKeyScope } from '@/common/auth/api-key-scope';
import { SqlClient } from '@/database/sql-client';
import type { Transaction } from '@/database/sql-executor';

const API_KEY_SELECT = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  createdAt: true,
  lastUsedAt: true,
} satisfies Prisma.ApiKeySelect;

export type ApiKeyRecord = Prisma.ApiKeyGetPayload<{ select: typeof API_KEY_SELECT }>;

/** What authenticating with a key needs to know. */
export interface ApiKeyIdentity {
  id: string;
  accountId: string;
  createdById: string;
  scopes: string[];
}

export interface NewApiKey {
  name: string;
  prefix: string;
  secretHash: string;
  scopes: ApiKeyScope[];
}

@Injectable()
export class ApiKeysRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
  ) {}

  /** Creates a key, in `tx`. */
  create(tx: Transaction, accountId: string, createdById: string, key: NewApiKey): Promise<ApiKeyRecord> {
    return tx.apiKey.create({ data: { ...key, accountId, createdById }, select: API_KEY_SELECT });
  }

  /** A page of an account's live keys, newest first; `limit + 1` rows. */
  listLive(accountId: string, limit: number, afterId?: string): Promise<ApiKeyRecord[]> {
    return this.prisma.apiKey.findMany({
      where: { accountId, revokedAt: null, ...(afterId ? { id: { lt: afterId } } : {}) },
      orderBy: { id: 'desc' },
      take: limit + 1,
      select: API_KEY_SELECT,
    });
  }

  /** Revokes a key of the account at once, in `tx`; the key, or null when there is no such live key. */
  async revoke(tx: Transaction, accountId: string, keyId: string): Promise<ApiKeyRecord | null> {
    const [revoked] = await tx.apiKey.updateManyAndReturn({
      where: { id: keyId, accountId, revokedAt: null },
      data: { revokedAt: new Date() },
      select: API_KEY_SELECT,
    });
    return revoked ?? null;
  }

  /** The live key with this secret hash (a unique index). */
  async findLiveBySecretHash(secretHash: string): Promise<ApiKeyIdentity | null> {
    const key = await this.prisma.apiKey.findUnique({
      where: { secretHash },
      select: { id: true, accountId: true, createdById: true, scopes: true, revokedAt: true },
    });
    if (!key || key.revokedAt) {
      return null;
    }
    return { id: key.id, accountId: key.accountId, createdById: key.createdById, scopes: key.scopes };
  }

  /**
   * Notes a key's use at `at`, unless it was noted less than `intervalMs` before: one conditional
   * statement, so instances need not agree on who writes. One plain statement: this write runs off
   * the request's path, so it may still be in flight when the application shuts down, and Prisma
   * wraps `updateMany` in a transaction that its disconnect can strand after BEGIN, holding a pool
   * connection that the pool's end then waits for forever (seen in the e2e tests: about one shutdown
   * in three hung).
   */
  async touch(keyId: string, at: Date, intervalMs: number): Promise<void> {
    const notedBefore = new Date(at.getTime() - intervalMs);
    await this.sql.query(
      Prisma.sql`UPDATE api_keys SET last_used_at = ${at}
        WHERE id = ${keyId}::uuid AND (last_used_at IS NULL OR last_used_at <= ${notedBefore}::timestamptz)`,
    );
  }
}
