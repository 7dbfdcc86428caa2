import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsUUID } from 'class-validator';

import { PageQueryDto } from '@/common/pagination/page-query.dto';

import { AUDIT_ACTIONS, AuditAction } from '../audit-actions';

/** The filters of an account's audit events: each served by an index, combined with AND. */
export class AccountAuditQueryDto extends PageQueryDto {
  /** Only this action. */
  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: `action must be one of ${AUDIT_ACTIONS.join(', ')}` })
  @ApiPropertyOptional({ enum: AUDIT_ACTIONS, enumName: 'AuditAction' })
  action?: AuditAction;

  /** Events at or after this time. */
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from must be a date-time (RFC 3339)' })
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  from?: Date;

  /** Events before this time. */
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'to must be a date-time (RFC 3339)' })
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  to?: Date;
}

/** The filters of the whole log (admins). */
export class AuditQueryDto extends AccountAuditQueryDto {
  /** Only what this user or API key did. */
  @IsOptional()
  @IsUUID('all', { message: 'actorId must be a UUID' })
  @ApiPropertyOptional({ format: 'uuid' })
  actorId?: string;

  /** Only what was done to this user, session, key, webhook, account, report or post. */
  @IsOptional()
  @IsUUID('all', { message: 'targetId must be a UUID' })
  @ApiPropertyOptional({ format: 'uuid' })
  targetId?: string;
}
