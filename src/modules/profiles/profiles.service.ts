import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/auth-user';
import type { Upserted } from '../../common/http/created-or-ok';
import { UserNotFoundError } from '../users/users.errors';
import { UsersRepository } from '../users/users.repository';
import type { ProfileDto } from './dto/profile.dto';
import type { ProfileInputDto, ProfilePatchDto } from './dto/profile-input.dto';
import { ProfileNotFoundError } from './profiles.errors';
import { toProfileDto } from './profiles.mapper';
import { ProfilesRepository } from './profiles.repository';

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

  async replaceProfile(actor: AuthUser, input: ProfileInputDto): Promise<Upserted<ProfileDto>> {
    const { profile, created } = await this.profiles.replace(actor.id, input);
    return { value: toProfileDto(profile), created };
  }

  async updateProfile(actor: AuthUser, input: ProfilePatchDto): Promise<ProfileDto> {
    const profile = await this.profiles.update(actor.id, input);
    if (!profile) {
      throw new ProfileNotFoundError();
    }
    return toProfileDto(profile);
  }

  async deleteProfile(actor: AuthUser): Promise<void> {
    if (!(await this.profiles.delete(actor.id))) {
      throw new ProfileNotFoundError();
    }
  }
}
