import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** A user's public profile. */
@ApiSchema({ name: 'Profile' })
export class ProfileDto {
  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Agent in Lisbon since 2015.' })
  bio!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uri', example: 'https://cdn.example.com/a.png' })
  avatarUrl!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 34 })
  age!: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'Lisbon' })
  location!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uri', example: 'https://example.com' })
  website!: string | null;

  createdAt!: Date;
  updatedAt!: Date;
}
