import { ApiProperty, ApiSchema } from '@nestjs/swagger';

import { UserPublicDto } from '@/modules/users/dto/user.dto';

import { ACCOUNT_ROLES, AccountRole } from '../account-roles';

/** An account (agency) as one of its members sees it, with the caller's role. */
@ApiSchema({ name: 'Account' })
export class AccountDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  /** The caller's role in the account. */
  @ApiProperty({ enum: ACCOUNT_ROLES, enumName: 'AccountRole' })
  role!: AccountRole;

  createdAt!: Date;
  updatedAt!: Date;
}

@ApiSchema({ name: 'Member' })
export class MemberDto {
  @ApiProperty({ type: UserPublicDto })
  user!: UserPublicDto;

  @ApiProperty({ enum: ACCOUNT_ROLES, enumName: 'AccountRole' })
  role!: AccountRole;

  /** When the user joined the account. */
  joinedAt!: Date;
}
