import { IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

import { QueryInteger } from '../errors/validation';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `?limit=&cursor=`, shared by every list. */
export class PageQueryDto {
  /** Items per page. */
  @IsOptional()
  @QueryInteger()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  /** The `nextCursor` of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}
