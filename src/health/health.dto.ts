import { ApiProperty, ApiSchema, getSchemaPath } from '@nestjs/swagger';

@ApiSchema({ name: 'HealthCheck' })
export class HealthCheckDto {
  @ApiProperty({ enum: ['up', 'down'], enumName: 'HealthState' })
  status!: 'up' | 'down';
}

@ApiSchema({ name: 'HealthStatus' })
export class HealthStatusDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';

  /** Each dependency checked, by name: `database`, and `redis` if configured (reported, not required). */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(HealthCheckDto) } })
  checks!: Record<string, HealthCheckDto>;
}
