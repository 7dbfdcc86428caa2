import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

import { QueryInteger } from '@/common/errors/validation';
import { PageQueryDto } from '@/common/pagination/page-query.dto';

import { POST_SORTS, POST_TYPES, PostSort, PostType, PROPERTY_TYPES, PropertyType } from '../post-enums';
import { MAX_PRICE } from './post-input.dto';

const NUMBER = '-?\\d+(\\.\\d+)?';
const BBOX = new RegExp(`^${NUMBER},${NUMBER},${NUMBER},${NUMBER}$`);

export class ListPostsQueryDto extends PageQueryDto {
  /** City, matched exactly but case-insensitively. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 100)
  city?: string;

  @ApiPropertyOptional({ enum: POST_TYPES, enumName: 'PostType' })
  @IsOptional()
  @IsIn(POST_TYPES)
  type?: PostType;

  @ApiPropertyOptional({ enum: PROPERTY_TYPES, enumName: 'PropertyType' })
  @IsOptional()
  @IsIn(PROPERTY_TYPES)
  property?: PropertyType;

  @IsOptional()
  @QueryInteger()
  @Min(0)
  @Max(MAX_PRICE)
  minPrice?: number;

  @IsOptional()
  @QueryInteger()
  @Min(0)
  @Max(MAX_PRICE)
  maxPrice?: number;

  /** At least this many bedrooms. */
  @IsOptional()
  @QueryInteger()
  @Min(0)
  @Max(100)
  bedroom?: number;

  /** At least this many bathrooms. */
  @IsOptional()
  @QueryInteger()
  @Min(0)
  @Max(100)
  bathroom?: number;

  /** Words to find in the title, address or city (full-text; quotes and `or` work as in web search). */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;

  /** A map box: `minLng,minLat,maxLng,maxLat`, such as `-9.23,38.69,-9.09,38.80` (central Lisbon). */
  @IsOptional()
  @Matches(BBOX, { message: 'bbox must be minLng,minLat,maxLng,maxLat' })
  bbox?: string;

  @ApiPropertyOptional({ enum: POST_SORTS, enumName: 'PostSort', default: PostSort.Newest })
  @IsOptional()
  @IsIn(POST_SORTS)
  sort: PostSort = PostSort.Newest;
}
