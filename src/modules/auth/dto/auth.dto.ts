import { ApiProperty, ApiSchema } from '@nestjs/swagger';

import { UserDto } from '@/modules/users/dto/user.dto';

@ApiSchema({ name: 'TokenPair' })
export class TokenPairDto {
  /** Send as `Authorization: Bearer <accessToken>`. */
  @ApiProperty()
  accessToken!: string;

  /** Exchange at POST /v1/auth/refresh for a new pair; each one works once. */
  @ApiProperty()
  refreshToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  /** Seconds until the access token expires. */
  @ApiProperty({ type: 'integer', example: 900 })
  expiresIn!: number;
}

@ApiSchema({ name: 'AuthResult' })
export class AuthResultDto extends TokenPairDto {
  @ApiProperty({ type: UserDto })
  user!: UserDto;
}

@ApiSchema({ name: 'Session' })
export class SessionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, nullable: true })
  userAgent!: string | null;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  createdAt!: Date;
  lastUsedAt!: Date;
  expiresAt!: Date;

  /** Whether this is the session of the token that asked. */
  current!: boolean;
}
