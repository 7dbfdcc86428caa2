import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';

import { PASSWORD_MAX, PASSWORD_MIN } from '@/modules/auth/dto/auth-input.dto';
import { trimLower } from '@/modules/users/dto/user-input.dto';

@ApiSchema({ name: 'PasswordForgotRequest' })
export class ForgotPasswordDto {
  /** Normalised as at registration (trimmed, lower-case). */
  @ApiProperty({ format: 'email', example: 'alice@example.com' })
  @Transform(trimLower)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;
}

@ApiSchema({ name: 'PasswordResetRequest' })
export class PasswordResetDto {
  /** From the link `<APP_URL>/reset-password?token=...` (no example: only a mailed one works). */
  @ApiProperty()
  @IsString()
  @MaxLength(128)
  token!: string;

  @ApiProperty({ format: 'password', example: 'staple-river-lantern' })
  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  newPassword!: string;
}

@ApiSchema({ name: 'EmailTokenRequest' })
export class EmailTokenDto {
  /** From the link `<APP_URL>/verify-email?token=...` or `<APP_URL>/confirm-email?token=...`. */
  @ApiProperty()
  @IsString()
  @MaxLength(128)
  token!: string;
}

@ApiSchema({ name: 'EmailChangeRequest' })
export class EmailChangeDto {
  /** Normalised as at registration (trimmed, lower-case). */
  @ApiProperty({ format: 'email', example: 'alice.martin@example.com' })
  @Transform(trimLower)
  @IsEmail({}, { message: 'newEmail must be an email address' })
  @MaxLength(254)
  newEmail!: string;

  @ApiProperty({ format: 'password', example: 'correct-horse-battery' })
  @IsString()
  @MaxLength(PASSWORD_MAX)
  currentPassword!: string;
}
