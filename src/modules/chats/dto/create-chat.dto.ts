import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';

export const MAX_CHAT_PARTICIPANTS = 50;

/** A chat with the caller and the users listed: one other user makes a two-person chat, more a group. */
@ApiSchema({ name: 'ChatCreate' })
export class CreateChatDto {
  /** The other participants (the caller is added, and may be listed); duplicates count once. */
  @ApiProperty({
    type: 'string',
    format: 'uuid',
    isArray: true,
    minItems: 1,
    maxItems: MAX_CHAT_PARTICIPANTS,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CHAT_PARTICIPANTS)
  @IsUUID('all', { each: true, message: 'each of participantIds must be a UUID' })
  participantIds!: string[];
}
