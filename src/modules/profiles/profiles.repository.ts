import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';
import { classifyPrismaError } from '../../database/prisma-errors';

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

@Injectable()
export class ProfilesRepository {
  constructor(private readonly prisma: PrismaService) {}

  findByUserId(userId: string): Promise<ProfileRecord | null> {
    return this.prisma.profile.findUnique({ where: { userId }, select: PROFILE_SELECT });
  }

  /**
   * Creates or wholly replaces the profile of a user; says whether it was created. Given `version`, only
   * replaces the profile still at that version (null otherwise).
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
    const existed = await this.prisma.profile.count({ where: { userId } });
    // A database upsert (INSERT ... ON CONFLICT): concurrent PUTs cannot create two profiles.
    const profile = await this.prisma.profile.upsert({
      where: { userId },
      create: { userId, ...data },
      update: { ...data, version: { increment: 1 } },
      select: PROFILE_SELECT,
    });
    return { profile, created: existed === 0 };
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
