import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Length } from 'class-validator';
import { UserPublicDto } from '../../users/dto/user.dto';
import { ACCOUNT_ROLES, AccountRole } from '../account-roles';

@ApiSchema({ name: 'AccountInput' })
export class AccountInputDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Harbour Homes' })
  @IsString()
  @Length(1, 100)
  name!: string;
}

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

@ApiSchema({ name: 'MemberCreate' })
export class AddMemberDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId!: string;

  @ApiProperty({ enum: ACCOUNT_ROLES, enumName: 'AccountRole' })
  @IsIn(ACCOUNT_ROLES)
  role!: AccountRole;
}

@ApiSchema({ name: 'MemberUpdate' })
export class UpdateMemberDto {
  @ApiProperty({ enum: ACCOUNT_ROLES, enumName: 'AccountRole' })
  @IsIn(ACCOUNT_ROLES)
  role!: AccountRole;
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
