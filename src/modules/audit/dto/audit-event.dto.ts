import { ApiProperty, ApiSchema } from '@nestjs/swagger';

import { AUDIT_ACTIONS, AuditAction, AuditActorType, AuditTargetType } from '../audit-actions';

/** Something someone did, as the audit log recorded it in the change's transaction. */
@ApiSchema({ name: 'AuditEvent' })
export class AuditEventDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  at!: Date;

  @ApiProperty({ enum: AUDIT_ACTIONS, enumName: 'AuditAction' })
  action!: AuditAction;

  /** A person (`user`), an integrator's API key (`api-key`), or the service itself (`system`). */
  @ApiProperty({ enum: Object.values(AuditActorType), enumName: 'AuditActorType' })
  actorType!: AuditActorType;

  /** The user's or the API key's id; null for `system`, and for a failed login (nobody proved who they are). */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actorId!: string | null;

  @ApiProperty({ enum: Object.values(AuditTargetType), enumName: 'AuditTargetType' })
  targetType!: AuditTargetType;

  /** What was acted on; null when it does not exist (a failed login with an unknown email). */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  targetId!: string | null;

  /** The caller's address (the forwarded one behind a trusted proxy); null outside a request. */
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip!: string | null;

  /** The `X-Request-Id` of the request that made the change; null outside a request. */
  @ApiProperty({ type: String, nullable: true })
  requestId!: string | null;

  /** What else describes the change (a new role, a reason, the fields changed); never a secret. */
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { role: 'ADMIN', previousRole: 'USER' },
  })
  metadata!: Record<string, unknown>;
}
