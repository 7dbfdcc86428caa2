import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

import { ApiKeyScope } from '@/common/auth/api-key-scope';
import { AcceptsApiKey } from '@/common/auth/api-key-scopes.decorator';
import { AuthUser, CurrentUser } from '@/common/auth/auth-user';
import { Public } from '@/common/auth/public.decorator';
import { RequestValidationError } from '@/common/errors/domain-error';
import { ConditionalRead, ConditionalWrite, IfMatch, IfMatchHeader } from '@/common/http/conditional';
import { Located } from '@/common/http/location';
import { Idempotent } from '@/common/idempotency/idempotent.decorator';
import { ApiPageResponse } from '@/common/openapi/page-response.decorator';
import { ApiProblems } from '@/common/openapi/problem-responses.decorator';
import { PageDto } from '@/common/pagination/page.dto';
import { PageQueryDto } from '@/common/pagination/page-query.dto';
import { IdParam } from '@/common/pipes/parse-id.pipe';

import { AccountNotFoundError } from '../accounts/accounts.errors';
import { Audit, AuditContext } from '../audit/audit-context';
import { UserNotFoundError } from '../users/users.errors';
import { PostDto, PostSummaryDto } from './dto/post.dto';
import { CreatePostDto, UpdatePostDto } from './dto/post-input.dto';
import { ListPostsQueryDto } from './dto/post-query.dto';
import { ApiKeyAccountMismatchError, NotPostOwnerError, PostNotFoundError } from './posts.errors';
import { PostsService } from './posts.service';

@ApiTags('posts')
@Controller('v1')
export class PostsController {
  constructor(private readonly posts: PostsService) {}

  @Get('posts')
  @AcceptsApiKey(ApiKeyScope.PostsRead)
  @Public()
  @ApiOperation({
    summary: 'Search listings',
    description: 'Public. Filters combine; a signed-in caller also gets `saved` on each post.',
    operationId: 'posts_list',
  })
  @ApiPageResponse(PostSummaryDto, 'A page of posts in the requested order')
  @ApiProblems(
    new RequestValidationError([{ field: 'maxPrice', message: 'maxPrice must not be below minPrice' }]),
  )
  list(
    @Query() query: ListPostsQueryDto,
    @CurrentUser() viewer?: AuthUser,
  ): Promise<PageDto<PostSummaryDto>> {
    return this.posts.listPosts(query, viewer);
  }

  @Get('posts/:id')
  @AcceptsApiKey(ApiKeyScope.PostsRead)
  @Public()
  @ConditionalRead({ vary: ['Authorization', 'X-API-Key'] })
  @ApiOperation({ summary: 'One listing with its details and author', operationId: 'posts_get' })
  @ApiOkResponse({ type: PostDto, description: 'The post' })
  @ApiProblems(new PostNotFoundError())
  get(@IdParam() id: string, @CurrentUser() viewer?: AuthUser): Promise<PostDto> {
    return this.posts.getPost(id, viewer);
  }

  @Post('posts')
  @Located((post) => `/v1/posts/${String(post.id)}`)
  @Idempotent()
  @AcceptsApiKey(ApiKeyScope.PostsWrite)
  @ApiOperation({ summary: 'Publish a listing, optionally with its details', operationId: 'posts_create' })
  @ApiCreatedResponse({ type: PostDto, description: 'The new post' })
  @ApiProblems(new AccountNotFoundError(), new ApiKeyAccountMismatchError())
  create(@CurrentUser() actor: AuthUser, @Body() body: CreatePostDto): Promise<PostDto> {
    return this.posts.createPost(actor, body);
  }

  @Patch('posts/:id')
  @AcceptsApiKey(ApiKeyScope.PostsWrite)
  @ConditionalWrite()
  @ApiOperation({
    summary: 'Change a listing and its details',
    description:
      'For the author, a manager of its account, or a platform admin. The detail is created if missing.',
    operationId: 'posts_update',
  })
  @ApiOkResponse({ type: PostDto, description: 'The changed post' })
  @ApiProblems(new PostNotFoundError(), new NotPostOwnerError())
  update(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Body() body: UpdatePostDto,
    @IfMatchHeader() ifMatch?: IfMatch,
  ): Promise<PostDto> {
    return this.posts.updatePost(actor, id, body, ifMatch);
  }

  @Delete('posts/:id')
  @AcceptsApiKey(ApiKeyScope.PostsWrite)
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a listing with its details and saves', operationId: 'posts_delete' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(new PostNotFoundError(), new NotPostOwnerError())
  async delete(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Audit() audit: AuditContext,
  ): Promise<void> {
    await this.posts.deletePost(actor, id, audit);
  }

  @Get('users/:id/posts')
  @AcceptsApiKey(ApiKeyScope.PostsRead)
  @Public()
  @ApiOperation({ summary: "A user's listings, newest first", operationId: 'posts_list_by_user' })
  @ApiPageResponse(PostSummaryDto, 'A page of the posts of the user')
  @ApiProblems(new UserNotFoundError())
  listByUser(
    @IdParam() id: string,
    @Query() query: PageQueryDto,
    @CurrentUser() viewer?: AuthUser,
  ): Promise<PageDto<PostSummaryDto>> {
    return this.posts.listUserPosts(id, query, viewer);
  }
}
