import { Injectable } from '@nestjs/common';

import type { AuthUser } from '@/common/auth/auth-user';
import { PreconditionFailedError } from '@/common/errors/domain-error';
import type { IfMatch } from '@/common/http/conditional';
import type { Upserted } from '@/common/http/created-or-ok';

import { UserNotFoundError } from '../users/users.errors';
import { UsersRepository } from '../users/users.repository';
import type { ProfileDto } from './dto/profile.dto';
import type { ProfileInputDto, ProfilePatchDto } from './dto/profile-input.dto';
import { ProfileNotFoundError } from './profiles.errors';
import { toProfileDto } from './profiles.mapper';
import { ProfileRecord, ProfilesRepository } from './profiles.repository';

const versionOf = (profile: ProfileRecord): number => profile.version;

@Injectable()
export class ProfilesService {
  constructor(
    private readonly profiles: ProfilesRepository,
    private readonly users: UsersRepository,
  ) {}

  async getProfile(userId: string): Promise<ProfileDto> {
    const profile = await this.profiles.findByUserId(userId);
    if (!profile) {
      if (!(await this.users.exists(userId))) {
        throw new UserNotFoundError();
      }
      throw new ProfileNotFoundError();
    }
    return toProfileDto(profile);
  }

  /** With `ifMatch`, replaces only the profile the caller last read (412 when there is none). */
  async replaceProfile(
    actor: AuthUser,
    input: ProfileInputDto,
    ifMatch?: IfMatch,
  ): Promise<Upserted<ProfileDto>> {
    let version: number | undefined;
    if (ifMatch) {
      version = ifMatch.versionOf(await this.profiles.findByUserId(actor.id), toProfileDto, versionOf);
    }
    const replaced = await this.profiles.replace(actor.id, input, version);
    if (!replaced) {
      throw new PreconditionFailedError();
    }
    return { value: toProfileDto(replaced.profile), created: replaced.created };
  }

  /** With `ifMatch`, changes only the profile the caller last read. */
  async updateProfile(actor: AuthUser, input: ProfilePatchDto, ifMatch?: IfMatch): Promise<ProfileDto> {
    let version: number | undefined;
    if (ifMatch) {
      const current = await this.profiles.findByUserId(actor.id);
      if (!current) {
        throw new ProfileNotFoundError();
      }
      version = ifMatch.versionOf(current, toProfileDto, versionOf);
    }
    const profile = await this.profiles.update(actor.id, input, version);
    if (!profile) {
      throw version === undefined ? new ProfileNotFoundError() : new PreconditionFailedError();
    }
    return toProfileDto(profile);
  }

  async deleteProfile(actor: AuthUser): Promise<void> {
    if (!(await this.profiles.delete(actor.id))) {
      throw new ProfileNotFoundError();
    }
  }
}
