import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';

import type { UserRole } from '@/common/auth/roles';
import { classifyPrismaError, uniqueViolationFields } from '@/database/prisma-errors';
import { column, Columns, RowOf } from '@/database/sql-client';
import type { Transaction } from '@/database/sql-executor';

import { PROFILE_SELECT, ProfileFields } from '../profiles/profiles.repository';
import { EmailTakenError, UsernameTakenError } from './users.errors';

export const USER_SELECT = {
  id: true,
  email: true,
  username: true,
  name: true,
  avatar: true,
  role: true,
  emailVerifiedAt: true,
  suspendedAt: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.UserSelect;

/** The columns of the public view of a user (for authors, participants). */
export const PUBLIC_USER_SELECT = {
  id: true,
  username: true,
  name: true,
  avatar: true,
  createdAt: true,
} satisfies Prisma.UserSelect;

export type PublicUserRecord = Prisma.UserGetPayload<{ select: typeof PUBLIC_USER_SELECT }>;

const USER_WITH_PROFILE_SELECT = {
  ...USER_SELECT,
  profile: { select: PROFILE_SELECT },
} satisfies Prisma.UserSelect;

export type UserRecord = Prisma.UserGetPayload<{ select: typeof USER_SELECT }>;
export type UserWithProfileRecord = Prisma.UserGetPayload<{ select: typeof USER_WITH_PROFILE_SELECT }>;

/**
 * A user with its profile as a typed statement reads it (`USER_WITH_PROFILE_SQL`, over `users u LEFT
 * JOIN profiles pr`), for a statement that writes something and answers the user in one round trip.
 */
export const USER_WITH_PROFILE_COLUMNS = {
  id: 'uuid',
  email: 'text',
  username: 'text',
  name: 'text?',
  avatar: 'text?',
  role: column('text').as<UserRole>(),
  emailVerifiedAt: 'timestamptz?',
  suspendedAt: 'timestamptz?',
  createdAt: 'timestamptz',
  updatedAt: 'timestamptz',
  profileUserId: 'uuid?',
  bio: 'text?',
  avatarUrl: 'text?',
  age: 'int4?',
  location: 'text?',
  website: 'text?',
  profileCreatedAt: 'timestamptz?',
  profileUpdatedAt: 'timestamptz?',
  profileVersion: 'int4?',
} satisfies Columns;

export const USER_WITH_PROFILE_SQL = Prisma.sql`
  u.id, u.email, u.username, u.name, u.avatar, u.role::text AS role, u.email_verified_at AS "emailVerifiedAt",
  u.suspended_at AS "suspendedAt", u.created_at AS "createdAt", u.updated_at AS "updatedAt",
  pr.user_id AS "profileUserId", pr.bio, pr.avatar_url AS "avatarUrl", pr.age, pr.location, pr.website,
  pr.created_at AS "profileCreatedAt", pr.updated_at AS "profileUpdatedAt", pr.version AS "profileVersion"`;

/** The record `findByIdWithProfile` gives, from a row of `USER_WITH_PROFILE_COLUMNS`. */
export function toUserWithProfile(row: RowOf<typeof USER_WITH_PROFILE_COLUMNS>): UserWithProfileRecord {
  const {
    profileUserId,
    bio,
    avatarUrl,
    age,
    location,
    website,
    profileCreatedAt,
    profileUpdatedAt,
    profileVersion,
    ...user
  } = row;
  return {
    ...user,
    profile:
      profileUserId === null
        ? null
        : {
            userId: profileUserId,
            bio,
            avatarUrl,
            age,
            location,
            website,
            createdAt: profileCreatedAt!,
            updatedAt: profileUpdatedAt!,
            version: profileVersion!,
          },
  };
}

export interface NewUser {
  email: string;
  username: string;
  passwordHash: string;
  name?: string | null;
  role?: UserRole;
  profile?: ProfileFields;
}

export interface UserChanges {
  username?: string;
  name?: string | null;
  avatar?: string | null;
}

/** Turns a unique violation on users into the domain error that names the taken field. */
export function translateUserConflict(error: unknown): unknown {
  const fields = uniqueViolationFields(error);
  if (fields.includes('email')) {
    return new EmailTakenError();
  }
  if (fields.includes('username')) {
    return new UsernameTakenError();
  }
  return error;
}

@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  findById(id: string): Promise<UserRecord | null> {
    return this.prisma.user.findUnique({ where: { id }, select: USER_SELECT });
  }

  findByIdWithProfile(id: string): Promise<UserWithProfileRecord | null> {
    return this.prisma.user.findUnique({ where: { id }, select: USER_WITH_PROFILE_SELECT });
  }

  findByEmail(email: string): Promise<UserRecord | null> {
    return this.prisma.user.findUnique({ where: { email }, select: USER_SELECT });
  }

  async exists(id: string): Promise<boolean> {
    return (await this.prisma.user.count({ where: { id } })) > 0;
  }

  /** Creates a user and, in the same write, its profile. */
  async create(user: NewUser): Promise<UserWithProfileRecord> {
    const { profile, ...fields } = user;
    try {
      return await this.prisma.user.create({
        data: { ...fields, ...(profile ? { profile: { create: profile } } : {}) },
        select: USER_WITH_PROFILE_SELECT,
      });
    } catch (error) {
      throw translateUserConflict(error);
    }
  }

  /** Applies changes; null when the user does not exist. */
  async update(id: string, changes: UserChanges): Promise<UserWithProfileRecord | null> {
    try {
      return await this.prisma.user.update({
        where: { id },
        data: changes,
        select: USER_WITH_PROFILE_SELECT,
      });
    } catch (error) {
      if (classifyPrismaError(error) === 'not_found') {
        return null;
      }
      throw translateUserConflict(error);
    }
  }

  /**
   * Sets a user's role, in `tx`; the row is locked first, so of two concurrent changes each sees the
   * other's result. The user as changed and the role it replaced; null when there is no such user.
   */
  async updateRole(
    tx: Transaction,
    id: string,
    role: UserRole,
  ): Promise<{ user: UserRecord; previousRole: UserRole } | null> {
    const [current] = await tx.$queryRaw<{ role: UserRole }[]>`
      SELECT role::text AS role FROM users WHERE id = ${id}::uuid FOR UPDATE`;
    if (!current) {
      return null;
    }
    const user = await tx.user.update({ where: { id }, data: { role }, select: USER_SELECT });
    return { user, previousRole: current.role };
  }

  /**
   * Deletes a user; its profile, posts, saves, sessions and messages go with it (cascades). In the same
   * transaction, each chat whose last message was theirs shows the latest message left instead (or
   * none): a deleted user's words do not stay behind in a chat list.
   */
  async delete(id: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.user.deleteMany({ where: { id } });
      await tx.$executeRaw`
        UPDATE chats c
           SET (last_message_id, last_message_text, last_message_at, last_message_user_id) = (
                 SELECT m.id, m.text, m.created_at, m.sender_id FROM messages m
                  WHERE m.chat_id = c.id ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
         WHERE c.last_message_user_id = ${id}::uuid`;
      return count > 0;
    });
  }

  /**
   * A page of users, newest first (ids are UUID v7, so id order is creation order), optionally those
   * whose email, username or name contains `query`. Fetches `limit + 1` rows to tell if more follow.
   */
  list(options: { query?: string; limit: number; afterId?: string }): Promise<UserRecord[]> {
    const contains = options.query ? { contains: options.query, mode: 'insensitive' as const } : undefined;
    return this.prisma.user.findMany({
      where: {
        ...(options.afterId ? { id: { lt: options.afterId } } : {}),
        ...(contains ? { OR: [{ email: contains }, { username: contains }, { name: contains }] } : {}),
      },
      orderBy: { id: 'desc' },
      take: options.limit + 1,
      select: USER_SELECT,
    });
  }
}
