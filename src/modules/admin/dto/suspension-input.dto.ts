import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

@ApiSchema({ name: 'SuspensionRequest' })
export class SuspendUserDto {
  /** Why: kept with the suspension and in the audit log (shown to admins, not to the user). */
  @ApiProperty({ minLength: 1, maxLength: 500, example: 'Repeated fraudulent listings' })
  @IsString()
  @Length(1, 500)
  reason!: string;
}
