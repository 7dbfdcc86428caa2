import { ApiPropertyOptional, ApiSchema, PartialType } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, IsUrl, Max, MaxLength, Min } from 'class-validator';

const HTTPS_URL = { protocols: ['https'], require_protocol: true, require_tld: true };

/** A whole profile (PUT, or nested in registration); omitted fields are empty. */
@ApiSchema({ name: 'ProfileInput' })
export class ProfileInputDto {
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  bio?: string | null;

  /** An https URL. */
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri' })
  @IsOptional()
  @IsUrl(HTTPS_URL, { message: 'avatarUrl must be an https URL' })
  @MaxLength(2048)
  avatarUrl?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true })
  @IsOptional()
  @IsInt()
  @Min(13)
  @Max(120)
  age?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  location?: string | null;

  /** An https URL. */
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri' })
  @IsOptional()
  @IsUrl(HTTPS_URL, { message: 'website must be an https URL' })
  @MaxLength(2048)
  website?: string | null;
}

/** Some fields of a profile (PATCH); `null` clears a field. */
@ApiSchema({ name: 'ProfilePatch' })
export class ProfilePatchDto extends PartialType(ProfileInputDto) {}
