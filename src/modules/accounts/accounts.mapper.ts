import type { ApiKeyScope } from '@/common/auth/api-key-scope';

import { toUserPublicDto } from '../users/users.mapper';
import type { MemberRecord, MembershipRecord } from './accounts.repository';
import type { ApiKeyRecord } from './api-keys.repository';
import type { AccountDto, MemberDto } from './dto/account.dto';
import type { ApiKeyDto } from './dto/api-key.dto';

export function toAccountDto({ account, role }: MembershipRecord): AccountDto {
  return {
    id: account.id,
    name: account.name,
    role,
    createdAt: account.createdAt,
    updatedAt: account.updatedAt,
  };
}

export function toMemberDto(member: MemberRecord): MemberDto {
  return { user: toUserPublicDto(member.user), role: member.role, joinedAt: member.createdAt };
}

export function toApiKeyDto(key: ApiKeyRecord): ApiKeyDto {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes as ApiKeyScope[],
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
  };
}
