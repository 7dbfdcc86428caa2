import { createHash, randomBytes } from 'node:crypto';

import { Injectable, Logger } from '@nestjs/common';

import { InvalidApiKeyError } from '@/common/auth/auth.errors';
import type { ApiKeyCaller, AuthUser } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import { CursorCodec, Keyset } from '@/common/pagination/cursor-codec';
import type { PageDto } from '@/common/pagination/page.dto';
import type { PageQueryDto } from '@/common/pagination/page-query.dto';
import { Transactions } from '@/database/transactions';

import { AuditAction, AuditTargetType } from '../audit/audit-actions';
import type { AuditContext } from '../audit/audit-context';
import { AuditEntry, AuditLog } from '../audit/audit-log';
import { requireAccountManager } from './account-access';
import { ApiKeyNotFoundError } from './accounts.errors';
import { toApiKeyDto } from './accounts.mapper';
import { AccountsRepository } from './accounts.repository';
import { ApiKeyRecord, ApiKeysRepository } from './api-keys.repository';
import type { ApiKeyDto, ApiKeyWithSecretDto } from './dto/api-key.dto';
import type { CreateApiKeyDto } from './dto/api-key-input.dto';

const KEYS = Keyset.byId<ApiKeyRecord>('api-keys:newest', (key) => key.id);
const KEY_PREFIX = 'lk_';
// lastUsedAt is written at most this often per key, not on every request.
export const TOUCH_INTERVAL_MS = 60_000;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * API keys of an account: `lk_<12 hex>_<32 random bytes, base64url>`. The first part is the prefix
 * shown in listings; only a SHA-256 of the whole secret is stored, so a key is shown once.
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly keys: ApiKeysRepository,
    private readonly accounts: AccountsRepository,
    private readonly cursors: CursorCodec,
    private readonly audit: AuditLog,
  ) {}

  async createKey(
    actor: AuthUser,
    accountId: string,
    input: CreateApiKeyDto,
    audit: AuditContext,
  ): Promise<ApiKeyWithSecretDto> {
    await this.assertManager(actor, accountId);
    const prefix = `${KEY_PREFIX}${randomBytes(6).toString('hex')}`;
    const secret = `${prefix}_${randomBytes(32).toString('base64url')}`;
    const key = await this.transactions.run(async (tx) => {
      const created = await this.keys.create(tx, accountId, actor.id, {
        name: input.name,
        prefix,
        secretHash: hashSecret(secret),
        scopes: input.scopes,
      });
      await this.audit.record(tx, audit, keyEvent(AuditAction.ApiKeyCreated, accountId, created));
      return created;
    });
    return { ...toApiKeyDto(key), secret };
  }

  async listKeys(actor: AuthUser, accountId: string, page: PageQueryDto): Promise<PageDto<ApiKeyDto>> {
    await this.assertManager(actor, accountId);
    return this.cursors.page(
      KEYS,
      page,
      (after) => this.keys.listLive(accountId, page.limit, after),
      toApiKeyDto,
    );
  }

  /** Revokes a key: it stops working on the next request. */
  async revokeKey(actor: AuthUser, accountId: string, keyId: string, audit: AuditContext): Promise<void> {
    await this.assertManager(actor, accountId);
    await this.transactions.run(async (tx) => {
      const revoked = await this.keys.revoke(tx, accountId, keyId);
      if (!revoked) {
        throw new ApiKeyNotFoundError();
      }
      await this.audit.record(tx, audit, keyEvent(AuditAction.ApiKeyRevoked, accountId, revoked));
    });
  }

  /**
   * Who a presented key speaks for; notes its use, off the request's path, by a statement that writes
   * only when the last note is a minute old: at most one write a minute per key whatever the number
   * of instances, and nothing kept per instance.
   */
  async authenticate(secret: string): Promise<ApiKeyCaller> {
    const key = secret.startsWith(KEY_PREFIX)
      ? await this.keys.findLiveBySecretHash(hashSecret(secret))
      : null;
    if (!key) {
      throw new InvalidApiKeyError();
    }
    this.keys
      .touch(key.id, new Date(Date.now()), TOUCH_INTERVAL_MS)
      .catch((error: unknown) => this.logger.warn(`lastUsedAt not saved: ${String(error)}`));
    return {
      kind: 'api-key',
      id: key.createdById,
      role: UserRole.User,
      keyId: key.id,
      accountId: key.accountId,
      scopes: key.scopes,
    };
  }

  private async assertManager(actor: AuthUser, accountId: string): Promise<void> {
    await requireAccountManager(this.accounts, actor, accountId, 'manage API keys');
  }
}

/** What the audit log keeps of a key: what its listing shows, never the secret or its hash. */
function keyEvent(action: AuditAction, accountId: string, key: ApiKeyRecord): AuditEntry {
  return {
    action,
    target: { type: AuditTargetType.ApiKey, id: key.id },
    accountId,
    metadata: { name: key.name, scopes: key.scopes, prefix: key.prefix },
  };
}
