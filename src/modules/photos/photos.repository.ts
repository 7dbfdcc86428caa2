import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';

import type { Transaction } from '@/database/sql-executor';

import { TooManyPhotosError } from './photos.errors';
import type { PhotoRecord } from './photos.mapper';

/** A post has at most 30 photos (docs/api/photos.md#uploads). */
export const MAX_PHOTOS_PER_POST = 30;

export const PHOTO_SELECT = {
  id: true,
  position: true,
  width: true,
  height: true,
  displayKey: true,
  thumbKey: true,
} satisfies Prisma.PhotoSelect;

export type NewPhoto = Omit<PhotoRecord, 'position'> & { postId: string };

/**
 * A post's photos hold the positions 0..n-1, one each (a unique index). Every change locks the post's
 * row first, so changes to one post's photos run one after another, and raises its version: the post's
 * representation changed (If-Match on the post sees it).
 */
@Injectable()
export class PhotosRepository {
  constructor(private readonly prisma: PrismaService) {}

  count(postId: string): Promise<number> {
    return this.prisma.photo.count({ where: { postId } });
  }

  findInPost(postId: string, photoId: string): Promise<PhotoRecord | null> {
    return this.prisma.photo.findFirst({ where: { id: photoId, postId }, select: PHOTO_SELECT });
  }

  /** Adds a photo after the post's last one; null when the post is gone; TooManyPhotosError when it is full. */
  append(photo: NewPhoto): Promise<PhotoRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      if (!(await lockPost(tx, photo.postId))) {
        return null;
      }
      const position = await tx.photo.count({ where: { postId: photo.postId } });
      if (position >= MAX_PHOTOS_PER_POST) {
        throw new TooManyPhotosError();
      }
      return tx.photo.create({ data: { ...photo, position }, select: PHOTO_SELECT });
    });
  }

  /**
   * Moves a photo to `position` (past the last: last), the photos between shifting by one, in one
   * transaction. Null when the post or the photo is gone.
   */
  move(postId: string, photoId: string, position: number): Promise<PhotoRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const photo =
        (await lockPost(tx, postId)) &&
        (await tx.photo.findFirst({ where: { id: photoId, postId }, select: PHOTO_SELECT }));
      if (!photo) {
        return null;
      }
      const last = (await tx.photo.count({ where: { postId } })) - 1;
      const to = Math.min(position, last);
      if (to !== photo.position) {
        const down = to > photo.position;
        await shift(tx, postId, Math.min(to, photo.position), Math.max(to, photo.position), down ? -1 : 1, {
          id: photoId,
          to,
        });
      }
      return { ...photo, position: to };
    });
  }

  /** Deletes a photo, closing the gap it leaves, in one transaction; what it was, or null when it is gone. */
  remove(postId: string, photoId: string): Promise<PhotoRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const photo =
        (await lockPost(tx, postId)) &&
        (await tx.photo.findFirst({ where: { id: photoId, postId }, select: PHOTO_SELECT }));
      if (!photo) {
        return null;
      }
      await tx.photo.delete({ where: { id: photoId } });
      await shift(tx, postId, photo.position + 1, MAX_PHOTOS_PER_POST, -1);
      return photo;
    });
  }

  /** Which of these photo ids have a row (the cleanup of stored files keeps their files). */
  async existing(ids: string[]): Promise<Set<string>> {
    const rows = await this.prisma.photo.findMany({ where: { id: { in: ids } }, select: { id: true } });
    return new Set(rows.map((row) => row.id));
  }
}

/** Locks the post's row for the transaction and raises its version; false when there is no such post. */
async function lockPost(tx: Transaction, postId: string): Promise<boolean> {
  const { count } = await tx.post.updateMany({ where: { id: postId }, data: { version: { increment: 1 } } });
  return count > 0;
}

/**
 * Adds `by` to the positions `from..to` of a post's photos (and puts `moved` at its place). Positions are
 * unique and checked row by row, so they pass through negatives: no two rows ever hold one at once.
 */
async function shift(
  tx: Transaction,
  postId: string,
  from: number,
  to: number,
  by: number,
  moved?: { id: string; to: number },
): Promise<void> {
  await tx.$executeRaw`UPDATE photos SET position = -position - 1
    WHERE post_id = ${postId}::uuid AND position BETWEEN ${from} AND ${to}`;
  const target = moved
    ? Prisma.sql`CASE WHEN id = ${moved.id}::uuid THEN ${moved.to} ELSE -position - 1 + ${by} END`
    : Prisma.sql`-position - 1 + ${by}`;
  await tx.$executeRaw`UPDATE photos SET position = ${target} WHERE post_id = ${postId}::uuid AND position < 0`;
}
