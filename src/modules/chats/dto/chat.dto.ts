import { ApiProperty, ApiSchema } from '@nestjs/swagger';

import { UserPublicDto } from '@/modules/users/dto/user.dto';

/** The latest message of a chat, as the chat list shows it. */
@ApiSchema({ name: 'ChatLastMessage' })
export class LastMessageDto {
  @ApiProperty({ example: 'See you at the viewing.' })
  text!: string;

  @ApiProperty({ format: 'uuid' })
  senderId!: string;

  createdAt!: Date;
}

/** A chat as one of its participants sees it. */
@ApiSchema({ name: 'Chat' })
export class ChatDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  /** Everyone in the chat, the caller included (public view). */
  @ApiProperty({ type: [UserPublicDto] })
  participants!: UserPublicDto[];

  @ApiProperty({ type: LastMessageDto, nullable: true })
  lastMessage!: LastMessageDto | null;

  /** Messages from others that the caller has not read. */
  @ApiProperty({ type: 'integer', minimum: 0, example: 2 })
  unreadCount!: number;

  /** Participants who have read up to the last message (empty when there is none). */
  @ApiProperty({ type: 'string', format: 'uuid', isArray: true })
  seenBy!: string[];

  createdAt!: Date;
  updatedAt!: Date;

  /** Creation or last message, whichever is later: the order of the chat list. */
  lastActivityAt!: Date;
}

@ApiSchema({ name: 'Message' })
export class MessageDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  chatId!: string;

  @ApiProperty({ format: 'uuid' })
  senderId!: string;

  @ApiProperty({ example: 'Is the flat still available?' })
  text!: string;

  createdAt!: Date;
}
