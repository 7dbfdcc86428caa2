import { Body, Controller, Delete, Get, HttpCode, Patch, Put, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { AuthUser, CurrentUser } from '@/common/auth/auth-user';
import { Public } from '@/common/auth/public.decorator';
import { ConditionalRead, ConditionalWrite, IfMatch, IfMatchHeader } from '@/common/http/conditional';
import { createdOrOk } from '@/common/http/created-or-ok';
import { Located } from '@/common/http/location';
import { ApiProblems } from '@/common/openapi/problem-responses.decorator';
import { IdParam } from '@/common/pipes/parse-id.pipe';

import { UserNotFoundError } from '../users/users.errors';
import { ProfileDto } from './dto/profile.dto';
import { ProfileInputDto, ProfilePatchDto } from './dto/profile-input.dto';
import { ProfileNotFoundError } from './profiles.errors';
import { ProfilesService } from './profiles.service';

@ApiTags('profiles')
@Controller('v1/users')
export class ProfilesController {
  constructor(private readonly profiles: ProfilesService) {}

  @Get(':id/profile')
  @Public()
  @ConditionalRead()
  @ApiOperation({ summary: "A user's public profile", operationId: 'profiles_get' })
  @ApiOkResponse({ type: ProfileDto, description: 'The profile' })
  @ApiProblems(new UserNotFoundError(), new ProfileNotFoundError())
  get(@IdParam() id: string): Promise<ProfileDto> {
    return this.profiles.getProfile(id);
  }

  @Put('me/profile')
  @ConditionalWrite()
  @Located((profile) => `/v1/users/${String(profile.userId)}/profile`)
  @ApiOperation({ summary: 'Create or replace my profile', operationId: 'profiles_put_mine' })
  @ApiOkResponse({ type: ProfileDto, description: 'The profile was replaced' })
  @ApiCreatedResponse({ type: ProfileDto, description: 'The profile was created' })
  @ApiProblems(new UserNotFoundError())
  async put(
    @CurrentUser() actor: AuthUser,
    @Body() body: ProfileInputDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @IfMatchHeader() ifMatch?: IfMatch,
  ): Promise<ProfileDto> {
    return createdOrOk(reply, await this.profiles.replaceProfile(actor, body, ifMatch));
  }

  @Patch('me/profile')
  @ConditionalWrite()
  @ApiOperation({ summary: 'Change some fields of my profile', operationId: 'profiles_update_mine' })
  @ApiOkResponse({ type: ProfileDto, description: 'The changed profile' })
  @ApiProblems(new UserNotFoundError(), new ProfileNotFoundError())
  update(
    @CurrentUser() actor: AuthUser,
    @Body() body: ProfilePatchDto,
    @IfMatchHeader() ifMatch?: IfMatch,
  ): Promise<ProfileDto> {
    return this.profiles.updateProfile(actor, body, ifMatch);
  }

  @Delete('me/profile')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete my profile', operationId: 'profiles_delete_mine' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(new ProfileNotFoundError())
  async delete(@CurrentUser() actor: AuthUser): Promise<void> {
    await this.profiles.deleteProfile(actor);
  }
}
