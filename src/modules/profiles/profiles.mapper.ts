import type { ProfileDto } from './dto/profile.dto';
import type { ProfileRecord } from './profiles.repository';

export function toProfileDto(profile: ProfileRecord): ProfileDto {
  return {
    userId: profile.userId,
    bio: profile.bio,
    avatarUrl: profile.avatarUrl,
    age: profile.age,
    location: profile.location,
    website: profile.website,
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
  };
}
