import { ApiProperty, ApiPropertyOptional, ApiSchema, OmitType, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsLatitude,
  IsLongitude,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

import { NestedObject, Omittable } from '@/common/errors/validation';

import { POST_TYPES, PostType, PROPERTY_TYPES, PropertyType } from '../post-enums';

export const MAX_PRICE = 1_000_000_000_000;
const DETAIL_TEXT = 10_000;
const DISTANCE_MAX = 1_000_000;

@ApiSchema({ name: 'PostDetailInput' })
export class PostDetailInputDto {
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(DETAIL_TEXT)
  desc?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(DETAIL_TEXT)
  utilities?: string | null;

  /** The pet policy. */
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(DETAIL_TEXT)
  pet?: string | null;

  /** The income policy. */
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(DETAIL_TEXT)
  income?: string | null;

  /** Floor area in square metres. */
  @ApiPropertyOptional({ type: 'integer', nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(DISTANCE_MAX)
  size?: number | null;

  /** Distance to the nearest school, in metres. */
  @ApiPropertyOptional({ type: 'integer', nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(DISTANCE_MAX)
  school?: number | null;

  /** Distance to the nearest bus stop, in metres. */
  @ApiPropertyOptional({ type: 'integer', nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(DISTANCE_MAX)
  bus?: number | null;

  /** Distance to the nearest restaurant, in metres. */
  @ApiPropertyOptional({ type: 'integer', nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(DISTANCE_MAX)
  restaurant?: number | null;
}

@ApiSchema({ name: 'PostCreate' })
export class CreatePostDto {
  @ApiProperty({ example: 'Bright two-bedroom flat near the river' })
  @IsString()
  @Length(3, 200)
  title!: string;

  /** Whole currency units. */
  @ApiProperty({ type: 'integer', example: 1250 })
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  price!: number;

  /** Up to 20 https URLs. */
  @ApiProperty({ type: [String], example: ['https://cdn.example.com/p/1.jpg'] })
  @IsArray()
  @ArrayMaxSize(20)
  @IsUrl(
    { protocols: ['https'], require_protocol: true },
    { each: true, message: 'each image must be an https URL' },
  )
  @MaxLength(2048, { each: true })
  images!: string[];

  @ApiProperty({ example: '12 Rua das Flores' })
  @IsString()
  @Length(1, 300)
  address!: string;

  @ApiProperty({ example: 'Lisbon' })
  @IsString()
  @Length(1, 100)
  city!: string;

  @ApiProperty({ type: 'integer' })
  @IsInt()
  @Min(0)
  @Max(100)
  bedroom!: number;

  @ApiProperty({ type: 'integer' })
  @IsInt()
  @Min(0)
  @Max(100)
  bathroom!: number;

  @ApiProperty({ example: 38.7223 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsLatitude()
  latitude!: number;

  @ApiProperty({ example: -9.1393 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsLongitude()
  longitude!: number;

  @ApiProperty({ enum: POST_TYPES, enumName: 'PostType' })
  @IsIn(POST_TYPES)
  type!: PostType;

  @ApiProperty({ enum: PROPERTY_TYPES, enumName: 'PropertyType' })
  @IsIn(PROPERTY_TYPES)
  property!: PropertyType;

  /** The account to publish for (members only). Through an API key, the key's account. */
  @ApiPropertyOptional({ format: 'uuid' })
  @Omittable()
  @IsUUID('all', { message: 'accountId must be a UUID' })
  accountId?: string;

  /** Details, created with the post in the same write. */
  @ApiPropertyOptional({ type: PostDetailInputDto })
  @Omittable()
  @NestedObject(() => PostDetailInputDto)
  detail?: PostDetailInputDto;
}

/** Changes to a post; `detail` fields are changed too, and the detail is created if missing. */
@ApiSchema({ name: 'PostUpdate' })
// Left out, a field keeps its value; none of them can be null.
export class UpdatePostDto extends PartialType(OmitType(CreatePostDto, ['detail', 'accountId'] as const), {
  skipNullProperties: false,
}) {
  @ApiPropertyOptional({ type: PostDetailInputDto })
  @Omittable()
  @NestedObject(() => PostDetailInputDto)
  detail?: PostDetailInputDto;
}
