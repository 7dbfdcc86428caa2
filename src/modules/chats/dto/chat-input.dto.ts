import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, IsUUID, Length } from 'class-validator';

export const MAX_CHAT_PARTICIPANTS = 50;

/** A chat with the caller and the users listed: one other user makes a two-person chat, more a group. */
@ApiSchema({ name: 'ChatCreate' })
export class CreateChatDto {
  /** The other participants (the caller is added, and may be listed); duplicates count once. */
  @ApiProperty({ type: 'string', format: 'uuid', isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CHAT_PARTICIPANTS)
  @IsUUID('all', { each: true, message: 'each of participantIds must be a UUID' })
  participantIds!: string[];
}

export const MESSAGE_MAX_LENGTH = 5000;

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

@ApiSchema({ name: 'MessageCreate' })
export class SendMessageDto {
  /** Stored trimmed; 1 to 5,000 characters after trimming. */
  @ApiProperty({ example: 'Is the flat still available?' })
  @Transform(trim)
  @IsString()
  @Length(1, MESSAGE_MAX_LENGTH)
  text!: string;
}
