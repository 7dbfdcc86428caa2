import { Prisma } from '@prisma/client';

import { column, Columns, RowOf } from '@/database/sql-client';

import { PUBLIC_USER_SELECT } from '../users/users.repository';
import { PostType, PropertyType } from './post-enums';

/**
 * The post summary read model: what a list of posts shows of each (posts, saved posts), read through
 * Prisma (`POST_SUMMARY_SELECT`) or raw SQL (`SUMMARY_COLUMNS` into a `PostRow`), mapped to one record.
 */

export const POST_SUMMARY_SELECT = {
  id: true,
  title: true,
  price: true,
  images: true,
  address: true,
  city: true,
  bedroom: true,
  bathroom: true,
  latitude: true,
  longitude: true,
  type: true,
  property: true,
  accountId: true,
  createdAt: true,
  updatedAt: true,
  author: { select: PUBLIC_USER_SELECT },
  // The cover: the first photo's thumbnail.
  photos: { select: { thumbKey: true }, orderBy: { position: 'asc' }, take: 1 },
} satisfies Prisma.PostSelect;

export type PostSummaryRecord = Prisma.PostGetPayload<{ select: typeof POST_SUMMARY_SELECT }> & {
  saved?: boolean;
};

/** The columns of a post summary row, as `SUMMARY_COLUMNS` and a `saved` column name them. */
export const POST_ROW_COLUMNS = {
  id: 'uuid',
  title: 'text',
  price: 'int8',
  images: 'text[]',
  address: 'text',
  city: 'text',
  bedroom: 'int4',
  bathroom: 'int4',
  latitude: 'float8',
  longitude: 'float8',
  type: column('text').as<PostType>(),
  property: column('text').as<PropertyType>(),
  account_id: 'uuid?',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  author_id: 'uuid',
  author_username: 'text',
  author_name: 'text?',
  author_avatar: 'text?',
  author_created_at: 'timestamptz',
  cover_key: 'text?',
  saved: 'bool?',
} satisfies Columns;

export type PostRow = RowOf<typeof POST_ROW_COLUMNS>;

/** The columns of a post summary (`p`) with its author (`u`), as `PostRow` names them. */
export const SUMMARY_COLUMNS = Prisma.sql`p.id, p.title, p.price, p.images, p.address, p.city, p.bedroom, p.bathroom,
  p.latitude, p.longitude, p.type::text AS type, p.property::text AS property, p.account_id, p.created_at,
  p.updated_at, u.id AS author_id, u.username AS author_username, u.name AS author_name,
  u.avatar AS author_avatar, u.created_at AS author_created_at,
  (SELECT ph.thumb_key FROM photos ph WHERE ph.post_id = p.id ORDER BY ph.position LIMIT 1) AS cover_key`;

/**
 * The one condition that withholds a post from public reads and lists: hidden by moderation, or
 * written by a suspended user (a column the database generates from both).
 */
export const VISIBLE = Prisma.sql`p.visible`;

/** A summary row as the record the mappers take. */
export function toSummaryRecord(row: PostRow): PostSummaryRecord {
  return {
    id: row.id,
    title: row.title,
    price: row.price,
    images: row.images,
    address: row.address,
    city: row.city,
    bedroom: row.bedroom,
    bathroom: row.bathroom,
    latitude: row.latitude,
    longitude: row.longitude,
    type: row.type,
    property: row.property,
    accountId: row.account_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    author: {
      id: row.author_id,
      username: row.author_username,
      name: row.author_name,
      avatar: row.author_avatar,
      createdAt: row.author_created_at,
    },
    photos: row.cover_key === null ? [] : [{ thumbKey: row.cover_key }],
    ...(row.saved === null ? {} : { saved: row.saved }),
  };
}
