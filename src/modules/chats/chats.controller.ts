import { Body, Controller, Delete, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { AuthUser, CurrentUser } from '@/common/auth/auth-user';
import { createdOrOk } from '@/common/http/created-or-ok';
import { Located } from '@/common/http/location';
import { NoStore } from '@/common/http/no-store';
import { Idempotent } from '@/common/idempotency/idempotent.decorator';
import { ApiPageResponse } from '@/common/openapi/page-response.decorator';
import { ApiProblems } from '@/common/openapi/problem-responses.decorator';
import { PageDto } from '@/common/pagination/page.dto';
import { PageQueryDto } from '@/common/pagination/page-query.dto';
import { IdParam } from '@/common/pipes/parse-id.pipe';

import { UserNotFoundError } from '../users/users.errors';
import { ChatNotFoundError, ChatNotLeavableError, NoOtherParticipantError } from './chats.errors';
import { ChatsService } from './chats.service';
import { ChatDto, MessageDto } from './dto/chat.dto';
import { CreateChatDto, SendMessageDto } from './dto/chat-input.dto';

@ApiTags('chats')
@NoStore()
@Controller('v1/chats')
export class ChatsController {
  constructor(private readonly chats: ChatsService) {}

  @Post()
  @Idempotent()
  @Located((chat) => `/v1/chats/${String(chat.id)}`)
  @ApiOperation({
    summary: 'Start a chat with one or more users',
    description:
      'A pair of users has one two-person chat at most: when it exists, it is returned with 200 instead.',
  })
  @ApiCreatedResponse({ type: ChatDto, description: 'The chat was created' })
  @ApiOkResponse({ type: ChatDto, description: 'The two-person chat of this pair already existed' })
  @ApiProblems(new NoOtherParticipantError(), new UserNotFoundError())
  async create(
    @CurrentUser() actor: AuthUser,
    @Body() body: CreateChatDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ChatDto> {
    return createdOrOk(reply, await this.chats.createChat(actor, body));
  }

  @Get()
  @ApiOperation({ summary: 'My chats, most recent activity first' })
  @ApiPageResponse(ChatDto, 'A page of chats, each with its last message and my unread count')
  list(@CurrentUser() actor: AuthUser, @Query() query: PageQueryDto): Promise<PageDto<ChatDto>> {
    return this.chats.listChats(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of my chats' })
  @ApiOkResponse({ type: ChatDto, description: 'The chat' })
  @ApiProblems(new ChatNotFoundError())
  get(@CurrentUser() actor: AuthUser, @IdParam() id: string): Promise<ChatDto> {
    return this.chats.getChat(actor, id);
  }

  @Get(':id/messages')
  @ApiOperation({ summary: 'The messages of one of my chats, newest first' })
  @ApiPageResponse(MessageDto, 'A page of messages, newest first')
  @ApiProblems(new ChatNotFoundError())
  listMessages(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Query() query: PageQueryDto,
  ): Promise<PageDto<MessageDto>> {
    return this.chats.listMessages(actor, id, query);
  }

  @Post(':id/messages')
  @Idempotent()
  @ApiOperation({
    summary: 'Send a message to one of my chats',
    description: "Also makes it the chat's last message and marks the chat read up to it for me.",
  })
  @ApiCreatedResponse({ type: MessageDto, description: 'The message was sent' })
  @ApiProblems(new ChatNotFoundError())
  sendMessage(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Body() body: SendMessageDto,
  ): Promise<MessageDto> {
    return this.chats.sendMessage(actor, id, body);
  }

  @Post(':id/read')
  @Idempotent()
  @HttpCode(204)
  @ApiOperation({ summary: 'Mark one of my chats read up to now' })
  @ApiNoContentResponse({ description: 'Marked read' })
  @ApiProblems(new ChatNotFoundError())
  async markRead(@CurrentUser() actor: AuthUser, @IdParam() id: string): Promise<void> {
    await this.chats.markRead(actor, id);
  }

  @Delete(':id/participants/me')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Leave a group chat',
    description: 'Two-person chats cannot be left (409). The last participant to leave deletes the chat.',
  })
  @ApiNoContentResponse({ description: 'I left the chat' })
  @ApiProblems(new ChatNotFoundError(), new ChatNotLeavableError())
  async leave(@CurrentUser() actor: AuthUser, @IdParam() id: string): Promise<void> {
    await this.chats.leaveChat(actor, id);
  }
}
