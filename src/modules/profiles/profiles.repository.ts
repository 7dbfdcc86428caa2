import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';
import { v7 as uuidv7 } from 'uuid';

import { Clock } from '@/common/time/clock';
import { classifyPrismaError } from '@/database/prisma-errors';
import { Columns, preparedStatement, SqlClient } from '@/database/sql-client';

import { UserNotFoundError } from '../users/users.errors';

export const PROFILE_SELECT = {
  userId: true,
  bio: true,
  avatarUrl: true,
  age: true,
  location: true,
  website: true,
  createdAt: true,
  updatedAt: true,
  version: true,
} satisfies Prisma.ProfileSelect;

export type ProfileRecord = Prisma.ProfileGetPayload<{ select: typeof PROFILE_SELECT }>;
export type ProfileFields = Partial<
  Pick<ProfileRecord, 'bio' | 'avatarUrl' | 'age' | 'location' | 'website'>
>;

/**
 * Creates the profile of a user, or replaces every field of it and raises its version, in one
 * statement (INSERT ... ON CONFLICT): of concurrent first PUTs one creates and the others replace,
 * and the statement itself says which (`xmax = 0` only on a row it inserted). No row when the user
 * is gone.
 */
const UPSERT_PROFILE = preparedStatement<
  [
    id: string,
    userId: string,
    bio: string | null,
    avatarUrl: string | null,
    age: number | null,
    location: string | null,
    website: string | null,
    now: Date,
  ]
>('profiles_upsert', (id, userId, bio, avatarUrl, age, location, website, now) => {
  const at = Prisma.sql`${now}::timestamptz`;
  return Prisma.sql`
    INSERT INTO profiles (id, user_id, bio, avatar_url, age, location, website, created_at, updated_at)
    SELECT ${id}::uuid, u.id, ${bio}::text, ${avatarUrl}::text, ${age}::int, ${location}::text, ${website}::text,
           ${at}, ${at}
      FROM users u WHERE u.id = ${userId}::uuid
    ON CONFLICT (user_id) DO UPDATE
       SET bio = EXCLUDED.bio, avatar_url = EXCLUDED.avatar_url, age = EXCLUDED.age,
           location = EXCLUDED.location, website = EXCLUDED.website, updated_at = EXCLUDED.updated_at,
           version = profiles.version + 1
    RETURNING user_id AS "userId", bio, avatar_url AS "avatarUrl", age, location, website,
              created_at AS "createdAt", updated_at AS "updatedAt", version, (xmax = 0) AS created`;
}).returning({
  userId: 'uuid',
  bio: 'text?',
  avatarUrl: 'text?',
  age: 'int4?',
  location: 'text?',
  website: 'text?',
  createdAt: 'timestamptz',
  updatedAt: 'timestamptz',
  version: 'int4',
  created: 'bool',
} satisfies Columns);

@Injectable()
export class ProfilesRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
    private readonly clock: Clock,
  ) {}

  findByUserId(userId: string): Promise<ProfileRecord | null> {
    return this.prisma.profile.findUnique({ where: { userId }, select: PROFILE_SELECT });
  }

  /**
   * Creates or wholly replaces the profile of a user; says whether it was created. Given `version`, only
   * replaces the profile still at that version (null otherwise). Throws UserNotFoundError when the user
   * is gone.
   */
  async replace(
    userId: string,
    fields: ProfileFields,
    version?: number,
  ): Promise<{ profile: ProfileRecord; created: boolean } | null> {
    // Every field is written: what the input leaves out is emptied.
    const data = {
      bio: fields.bio ?? null,
      avatarUrl: fields.avatarUrl ?? null,
      age: fields.age ?? null,
      location: fields.location ?? null,
      website: fields.website ?? null,
    };
    if (version !== undefined) {
      const profile = await this.update(userId, data, version);
      return profile && { profile, created: false };
    }
    const now = this.clock.now();
    const [row] = await this.sql.run(UPSERT_PROFILE, [
      uuidv7(),
      userId,
      data.bio,
      data.avatarUrl,
      data.age,
      data.location,
      data.website,
      now,
    ]);
    if (!row) {
      throw new UserNotFoundError();
    }
    const { created, ...profile } = row;
    return { profile, created };
  }

  /**
   * Changes some fields, raising the version; null when the user has no profile, or (given `version`)
   * it is no longer at that version.
   */
  async update(userId: string, fields: ProfileFields, version?: number): Promise<ProfileRecord | null> {
    try {
      return await this.prisma.profile.update({
        where: { userId, version },
        data: { ...fields, version: { increment: 1 } },
        select: PROFILE_SELECT,
      });
    } catch (error) {
      if (classifyPrismaError(error) === 'not_found') {
        return null;
      }
      throw error;
    }
  }

  /** Deletes the profile of a user; false when there was none. */
  async delete(userId: string): Promise<boolean> {
    const { count } = await this.prisma.profile.deleteMany({ where: { userId } });
    return count > 0;
  }
}
