import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

import { USER_ROLES, UserRole } from '@/common/auth/roles';
import { ProfileDto } from '@/modules/profiles/dto/profile.dto';

/** What anyone may see of a user. */
@ApiSchema({ name: 'UserPublic' })
export class UserPublicDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'alice' })
  username!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Alice Martin' })
  name!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uri' })
  avatar!: string | null;

  createdAt!: Date;
}

/** A user as admins see it: with email and role. */
@ApiSchema({ name: 'UserAdmin' })
export class UserAdminDto extends UserPublicDto {
  @ApiProperty({ format: 'email' })
  email!: string;

  /**
   * Whether the owner proved they receive mail at `email` (a verification or email-change link).
   * Always sent; optional in the schema only because 1.0.0 did not have it.
   */
  @ApiPropertyOptional()
  emailVerified?: boolean;

  @ApiProperty({ enum: USER_ROLES, enumName: 'Role' })
  role!: UserRole;

  /**
   * Since when an admin suspended the account (no login, posts withheld); null when it is not
   * suspended. Always sent; optional in the schema only because 1.0.0 did not have it.
   */
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  suspendedAt?: Date | null;

  updatedAt!: Date;
}

/** The caller's own account, with email, role and profile. */
@ApiSchema({ name: 'User' })
export class UserDto extends UserAdminDto {
  @ApiProperty({ type: ProfileDto, nullable: true })
  profile!: ProfileDto | null;
}
