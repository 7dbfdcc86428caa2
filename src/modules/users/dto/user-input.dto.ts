import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUrl, Length, Matches, MaxLength } from 'class-validator';

import { USER_ROLES, UserRole } from '@/common/auth/roles';
import { Omittable } from '@/common/errors/validation';

export const USERNAME_PATTERN = /^[a-z0-9_.-]{3,30}$/;
export const trimLower = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

/** Changes to the caller's account; `null` clears `name` or `avatar`. */
@ApiSchema({ name: 'UserUpdate' })
export class UpdateUserDto {
  /** 3 to 30 of a-z, 0-9, `_`, `.` and `-` (stored lower-case). */
  @ApiPropertyOptional({ pattern: USERNAME_PATTERN.source, example: 'alice' })
  @Omittable()
  @Transform(trimLower)
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 3 to 30 of a-z, 0-9, _, . and -' })
  username?: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string | null;

  /** An https URL. */
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri' })
  @IsOptional()
  @IsUrl({ protocols: ['https'], require_protocol: true }, { message: 'avatar must be an https URL' })
  @MaxLength(2048)
  avatar?: string | null;
}

@ApiSchema({ name: 'RoleUpdate' })
export class UpdateRoleDto {
  @ApiProperty({ enum: USER_ROLES, enumName: 'Role' })
  @IsIn(USER_ROLES)
  role!: UserRole;
}
