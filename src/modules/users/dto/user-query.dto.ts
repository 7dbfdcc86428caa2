import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

import { PageQueryDto } from '@/common/pagination/page-query.dto';

export class ListUsersQueryDto extends PageQueryDto {
  /** Part of an email, username or name (case-insensitive). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  q?: string;
}
