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
import { Idempotent } from '@/common/idempotency/idempotent.decorator';
import { ApiPageResponse } from '@/common/openapi/page-response.decorator';
import { ApiProblems } from '@/common/openapi/problem-responses.decorator';
import { PageDto } from '@/common/pagination/page.dto';
import { PageQueryDto } from '@/common/pagination/page-query.dto';
import { IdParam } from '@/common/pipes/parse-id.pipe';

import { PostNotFoundError } from '../posts/posts.errors';
import { SavedPostDto } from './dto/saved-post.dto';
import { SavePostDto } from './dto/saved-post-input.dto';
import { SavedPostNotFoundError } from './saved-posts.errors';
import { SavedPostsService } from './saved-posts.service';

@ApiTags('saved posts')
@Controller('v1/saved-posts')
export class SavedPostsController {
  constructor(private readonly saves: SavedPostsService) {}

  @Get()
  @ApiOperation({ summary: 'My saved posts, newest save first', operationId: 'saved_posts_list' })
  @ApiPageResponse(SavedPostDto, 'A page of my saves, each with its post')
  list(@CurrentUser() actor: AuthUser, @Query() query: PageQueryDto): Promise<PageDto<SavedPostDto>> {
    return this.saves.listSavedPosts(actor, query);
  }

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Save a post (saving twice is one save)', operationId: 'saved_posts_create' })
  @ApiCreatedResponse({ type: SavedPostDto, description: 'Saved' })
  @ApiOkResponse({ type: SavedPostDto, description: 'It was already saved' })
  @ApiProblems(new PostNotFoundError())
  async save(
    @CurrentUser() actor: AuthUser,
    @Body() body: SavePostDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SavedPostDto> {
    return createdOrOk(reply, await this.saves.savePost(actor, body.postId));
  }

  @Delete(':postId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unsave a post', operationId: 'saved_posts_delete' })
  @ApiNoContentResponse({ description: 'No longer saved' })
  @ApiProblems(new SavedPostNotFoundError())
  async unsave(@CurrentUser() actor: AuthUser, @IdParam('postId') postId: string): Promise<void> {
    await this.saves.unsavePost(actor, postId);
  }
}
