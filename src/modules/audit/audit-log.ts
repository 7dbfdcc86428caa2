import { Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';

import { CursorCodec, Keyset } from '@/common/pagination/cursor-codec';
import type { PageDto } from '@/common/pagination/page.dto';
import { Clock } from '@/common/time/clock';
import type { Transaction } from '@/database/sql-executor';

import { AuditEventRecord, AuditFilter, AuditRepository } from './audit.repository';
import type { AuditAction, AuditTargetType } from './audit-actions';
import type { AuditContext } from './audit-context';
import type { AuditEventDto } from './dto/audit-event.dto';

/** What describes a change besides who, what and where: plain values only. */
export type AuditMetadata = Record<string, string | number | boolean | null | string[]>;

export interface AuditEntry {
  action: AuditAction;
  target: { type: AuditTargetType; id: string | null };
  /** The account whose audit shows it (its API keys, webhooks, members, posts). */
  accountId?: string | null;
  metadata?: AuditMetadata;
}

/**
 * Names that hold secrets. The use cases never put one in metadata; this is the guard that keeps a
 * slip from being stored (it is dropped and logged), and the tests walk every action against it.
 */
export const SECRET_KEY = /pass|secret|token|hash|authorization|cookie|credential|signature/i;

const NEWEST = Keyset.byTime<AuditEventRecord>('audit:newest', (event) => ({ key: event.at, id: event.id }));

/**
 * The audit log: the one service the modules call from their use cases, with the transaction of the
 * change (or `undefined` when the use case writes nothing else, as a failed login).
 */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger('AuditLog');

  constructor(
    private readonly events: AuditRepository,
    private readonly clock: Clock,
    private readonly cursors: CursorCodec,
  ) {}

  record(tx: Transaction | undefined, context: AuditContext, entry: AuditEntry): Promise<void> {
    return this.events.append(tx, this.event(context, entry));
  }

  /**
   * The event that `record` appends, for a repository statement that writes it with the change
   * (`auditEventInsert`).
   */
  event(context: AuditContext, entry: AuditEntry): AuditEventRecord {
    return {
      id: uuidv7(),
      at: this.clock.now(),
      action: entry.action,
      actorType: context.actor.type,
      actorId: context.actor.id,
      targetType: entry.target.type,
      targetId: entry.target.id,
      accountId: entry.accountId ?? null,
      ip: context.ip,
      requestId: context.requestId,
      metadata: this.withoutSecrets(entry),
    };
  }

  /** A page of events, newest first, matching every filter given. */
  list(filter: AuditFilter, page: { limit: number; cursor?: string }): Promise<PageDto<AuditEventDto>> {
    return this.cursors.page(
      NEWEST,
      page,
      (after) => this.events.list(filter, page.limit, after),
      toAuditEventDto,
    );
  }

  private withoutSecrets(entry: AuditEntry): AuditMetadata {
    const kept: AuditMetadata = {};
    for (const [key, value] of Object.entries(entry.metadata ?? {})) {
      if (SECRET_KEY.test(key)) {
        this.logger.warn(`Dropped metadata "${key}" of an ${entry.action} event: it names a secret`);
        continue;
      }
      kept[key] = value;
    }
    return kept;
  }
}

function toAuditEventDto(event: AuditEventRecord): AuditEventDto {
  return {
    id: event.id,
    at: event.at,
    action: event.action,
    actorType: event.actorType,
    actorId: event.actorId,
    targetType: event.targetType,
    targetId: event.targetId,
    ip: event.ip,
    requestId: event.requestId,
    metadata: event.metadata,
  };
}
