import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length } from 'class-validator';

export const MESSAGE_MAX_LENGTH = 5000;

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

@ApiSchema({ name: 'MessageCreate' })
export class SendMessageDto {
  /** Stored trimmed; 1 to 5,000 characters after trimming. */
  @ApiProperty({ minLength: 1, maxLength: MESSAGE_MAX_LENGTH, example: 'Is the flat still available?' })
  @Transform(trim)
  @IsString()
  @Length(1, MESSAGE_MAX_LENGTH)
  text!: string;
}
