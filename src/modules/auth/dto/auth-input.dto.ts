import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

import { NestedObject } from '@/common/errors/validation';
import { ProfileInputDto } from '@/modules/profiles/dto/profile-input.dto';
import { trimLower, USERNAME_PATTERN } from '@/modules/users/dto/user-input.dto';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

@ApiSchema({ name: 'RegisterRequest' })
export class RegisterDto {
  /** Stored trimmed and lower-case. */
  @ApiProperty({ format: 'email', example: 'alice@example.com' })
  @Transform(trimLower)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  /** 3 to 30 of a-z, 0-9, `_`, `.` and `-` (stored lower-case). */
  @ApiProperty({ pattern: USERNAME_PATTERN.source, example: 'alice' })
  @Transform(trimLower)
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 3 to 30 of a-z, 0-9, _, . and -' })
  username!: string;

  @ApiProperty({ format: 'password', example: 'correct-horse-battery' })
  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  password!: string;

  @ApiPropertyOptional({ example: 'Alice Martin' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  /** A profile to create with the account, in the same write. */
  @ApiPropertyOptional({ type: ProfileInputDto })
  @IsOptional()
  @NestedObject(() => ProfileInputDto)
  profile?: ProfileInputDto;
}

@ApiSchema({ name: 'LoginRequest' })
export class LoginDto {
  @ApiProperty({ format: 'email', example: 'alice@example.com' })
  @Transform(trimLower)
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ format: 'password', example: 'correct-horse-battery' })
  @IsString()
  @MaxLength(PASSWORD_MAX)
  password!: string;
}

@ApiSchema({ name: 'RefreshRequest' })
export class RefreshDto {
  @ApiProperty()
  @IsString()
  @MaxLength(512)
  refreshToken!: string;
}

@ApiSchema({ name: 'PasswordChange' })
export class ChangePasswordDto {
  @ApiProperty({ format: 'password', example: 'correct-horse-battery' })
  @IsString()
  @MaxLength(PASSWORD_MAX)
  currentPassword!: string;

  @ApiProperty({ format: 'password', example: 'staple-river-lantern' })
  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  newPassword!: string;
}
