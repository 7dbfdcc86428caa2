import { toProfileDto } from '../profiles/profiles.mapper';
import type { UserAdminDto, UserDto, UserPublicDto } from './dto/user.dto';
import type { PublicUserRecord, UserRecord, UserWithProfileRecord } from './users.repository';

export function toUserPublicDto(user: PublicUserRecord): UserPublicDto {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    avatar: user.avatar,
    createdAt: user.createdAt,
  };
}

export function toUserAdminDto(user: UserRecord): UserAdminDto {
  return {
    ...toUserPublicDto(user),
    email: user.email,
    emailVerified: user.emailVerifiedAt !== null,
    role: user.role,
    suspendedAt: user.suspendedAt,
    updatedAt: user.updatedAt,
  };
}

export function toUserDto(user: UserWithProfileRecord): UserDto {
  return { ...toUserAdminDto(user), profile: user.profile ? toProfileDto(user.profile) : null };
}
