import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Length } from 'class-validator';

import { ACCOUNT_ROLES, AccountRole } from '../account-roles';

@ApiSchema({ name: 'AccountInput' })
export class AccountInputDto {
  @ApiProperty({ example: 'Harbour Homes' })
  @IsString()
  @Length(1, 100)
  name!: string;
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
