import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';

import type { Position } from '@/common/pagination/cursor-codec';
import { SqlClient, SqlParameter } from '@/database/sql-client';
import type { Transaction } from '@/database/sql-executor';

import type { AuditAction, AuditActorType, AuditTargetType } from './audit-actions';

export interface AuditEventRecord {
  id: string;
  at: Date;
  action: AuditAction;
  actorType: AuditActorType;
  actorId: string | null;
  targetType: AuditTargetType;
  targetId: string | null;
  accountId: string | null;
  ip: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
}

export interface AuditFilter {
  actorId?: string;
  targetId?: string;
  action?: AuditAction;
  accountId?: string;
  from?: Date;
  to?: Date;
}

/**
 * The insert of one event, for a statement that writes the change it records and its event together
 * (the parts of a statement commit together): `WITH change AS (...), audit AS (${auditEventInsert(event,
 * Prisma.sql\`EXISTS (SELECT 1 FROM change)\`)}) ...`, where `event` takes `auditEventRow(record)` and
 * the event is written only `when` the change was.
 */
export function auditEventInsert(event: SqlParameter, when: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`INSERT INTO audit_events
    SELECT * FROM jsonb_populate_record(NULL::audit_events, ${event}::jsonb) WHERE ${when}`;
}

/** An event as the argument of `auditEventInsert`: its row, column by column. */
export function auditEventRow(event: AuditEventRecord): string {
  return JSON.stringify({
    id: event.id,
    at: event.at,
    action: event.action,
    actor_type: event.actorType,
    actor_id: event.actorId,
    target_type: event.targetType,
    target_id: event.targetId,
    account_id: event.accountId,
    ip: event.ip,
    request_id: event.requestId,
    metadata: event.metadata,
  });
}

@Injectable()
export class AuditRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
  ) {}

  /** Appends an event, in the transaction of the change it records, or on its own given `undefined`. */
  async append(tx: Transaction | undefined, event: AuditEventRecord): Promise<void> {
    await (tx ?? this.prisma).auditEvent.create({
      data: { ...event, metadata: event.metadata as Prisma.InputJsonObject },
      select: { id: true },
    });
  }

  /** Newest first, after `after`: the order of the (at, id) indexes, one led by each filter. */
  list(filter: AuditFilter, limit: number, after?: Position<Date>): Promise<AuditEventRecord[]> {
    const conditions: Prisma.Sql[] = [];
    if (filter.actorId) {
      conditions.push(Prisma.sql`actor_id = ${filter.actorId}::uuid`);
    }
    if (filter.targetId) {
      conditions.push(Prisma.sql`target_id = ${filter.targetId}::uuid`);
    }
    if (filter.action) {
      conditions.push(Prisma.sql`action = ${filter.action}`);
    }
    if (filter.accountId) {
      conditions.push(Prisma.sql`account_id = ${filter.accountId}::uuid`);
    }
    if (filter.from) {
      conditions.push(Prisma.sql`at >= ${filter.from}::timestamptz`);
    }
    if (filter.to) {
      conditions.push(Prisma.sql`at < ${filter.to}::timestamptz`);
    }
    if (after) {
      conditions.push(Prisma.sql`(at, id) < (${after.key}::timestamptz, ${after.id}::uuid)`);
    }
    const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
    return this.sql.query<AuditEventRecord>(Prisma.sql`
      SELECT id, at, action, actor_type AS "actorType", actor_id AS "actorId", target_type AS "targetType",
             target_id AS "targetId", account_id AS "accountId", ip, request_id AS "requestId", metadata
        FROM audit_events ${where}
       ORDER BY at DESC, id DESC
       LIMIT ${limit + 1}`);
  }

  /** Deletes up to `batch` events older than `before`; how many went. */
  async deleteBefore(before: Date, batch: number): Promise<number> {
    const rows = await this.sql.query<{ id: string }>(Prisma.sql`
      DELETE FROM audit_events WHERE id IN (
        SELECT id FROM audit_events WHERE at < ${before}::timestamptz ORDER BY at LIMIT ${batch})
      RETURNING id`);
    return rows.length;
  }
}
