import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

import { CurrentUser, SessionCaller } from '@/common/auth/auth-user';
import { Anonymous } from '@/common/auth/public.decorator';
import { Client, ClientInfo } from '@/common/http/client-info';
import { Located } from '@/common/http/location';
import { NoStore } from '@/common/http/no-store';
import { NotIdempotent } from '@/common/idempotency/idempotency';
import { ApiPageResponse } from '@/common/openapi/page-response.decorator';
import { ApiProblems } from '@/common/openapi/problem-responses.decorator';
import { PageDto } from '@/common/pagination/page.dto';
import { PageQueryDto } from '@/common/pagination/page-query.dto';
import { IdParam } from '@/common/pipes/parse-id.pipe';
import { AuthRateLimit } from '@/common/throttling/throttling';

import { Audit, AuditContext } from '../audit/audit-context';
import { EmailTakenError, UsernameTakenError } from '../users/users.errors';
import {
  AccountSuspendedError,
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  SessionNotFoundError,
  TokenReusedError,
  TooManyLoginAttemptsError,
  WrongPasswordError,
} from './auth.errors';
import { AuthService } from './auth.service';
import { AuthResultDto, SessionDto, TokenPairDto } from './dto/auth.dto';
import { ChangePasswordDto, LoginDto, RefreshDto, RegisterDto } from './dto/auth-input.dto';

@ApiTags('auth')
@NotIdempotent()
@NoStore()
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @Located((result) => `/v1/users/${String((result.user as { id: string }).id)}`)
  @Anonymous()
  @AuthRateLimit()
  @ApiOperation({ summary: 'Create an account (optionally with a profile) and log in' })
  @ApiCreatedResponse({ type: AuthResultDto, description: 'The account, with a first token pair' })
  @ApiProblems(new EmailTakenError(), new UsernameTakenError())
  register(@Body() body: RegisterDto, @Client() client: ClientInfo): Promise<AuthResultDto> {
    return this.auth.register(body, client);
  }

  @Post('login')
  @HttpCode(200)
  @Anonymous()
  @AuthRateLimit()
  @ApiOperation({ summary: 'Log in with email and password: opens a session' })
  @ApiOkResponse({ type: AuthResultDto, description: 'The account, with a token pair of a new session' })
  @ApiProblems(new InvalidCredentialsError(), new AccountSuspendedError(), new TooManyLoginAttemptsError(60))
  login(
    @Body() body: LoginDto,
    @Client() client: ClientInfo,
    @Audit() audit: AuditContext,
  ): Promise<AuthResultDto> {
    return this.auth.login(body, client, audit);
  }

  @Post('refresh')
  @HttpCode(200)
  @Anonymous()
  @AuthRateLimit()
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair',
    description:
      'Each refresh token works once. Presenting one again revokes its session (401 `TOKEN_REUSED`).',
  })
  @ApiOkResponse({ type: TokenPairDto, description: 'A new token pair' })
  @ApiProblems(new InvalidRefreshTokenError(), new TokenReusedError())
  refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Log out: revokes the current session' })
  @ApiNoContentResponse({ description: 'The session is revoked' })
  async logout(@CurrentUser() actor: SessionCaller, @Audit() audit: AuditContext): Promise<void> {
    await this.auth.logout(actor, audit);
  }

  @Get('sessions')
  @ApiOperation({ summary: 'My live sessions, newest first' })
  @ApiPageResponse(SessionDto, 'A page of sessions; `current` marks the one of this token')
  listSessions(
    @CurrentUser() actor: SessionCaller,
    @Query() query: PageQueryDto,
  ): Promise<PageDto<SessionDto>> {
    return this.auth.listSessions(actor, query);
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke one of my sessions' })
  @ApiNoContentResponse({ description: 'The session is revoked' })
  @ApiProblems(new SessionNotFoundError())
  async revokeSession(
    @CurrentUser() actor: SessionCaller,
    @IdParam() id: string,
    @Audit() audit: AuditContext,
  ): Promise<void> {
    await this.auth.revokeSession(actor, id, audit);
  }

  @Post('password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change my password: revokes every other session' })
  @ApiNoContentResponse({ description: 'Changed' })
  @ApiProblems(new WrongPasswordError())
  async changePassword(
    @CurrentUser() actor: SessionCaller,
    @Body() body: ChangePasswordDto,
    @Audit() audit: AuditContext,
  ): Promise<void> {
    await this.auth.changePassword(actor, body, audit);
  }
}
