import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from 'nestjs-prisma';
import type { Position } from '../../common/pagination/cursor-codec';
import {
  column,
  Columns,
  preparedStatement,
  RowOf,
  SqlClient,
  SqlParameter,
} from '../../database/sql-client';
import { classifyPrismaError } from '../../database/prisma-errors';
import type { Transaction } from '../../database/sql-executor';
import { PUBLIC_USER_SELECT } from '../users/users.repository';
import type { PhotoRecord } from '../photos/photos.mapper';
import { PHOTO_SELECT } from '../photos/photos.repository';
import { PostSort, PostType, PropertyType } from './post-enums';

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

const DETAIL_SELECT = {
  desc: true,
  utilities: true,
  pet: true,
  income: true,
  size: true,
  school: true,
  bus: true,
  restaurant: true,
} satisfies Prisma.PostDetailSelect;

const POST_SELECT = {
  ...POST_SUMMARY_SELECT,
  version: true,
  detail: { select: DETAIL_SELECT },
  photos: { select: PHOTO_SELECT, orderBy: { position: 'asc' } },
} satisfies Prisma.PostSelect;

export type PostSummaryRecord = Prisma.PostGetPayload<{ select: typeof POST_SUMMARY_SELECT }> & {
  saved?: boolean;
};
export type PostRecord = Prisma.PostGetPayload<{ select: typeof POST_SELECT }> & {
  saved?: boolean;
  /** Hidden by a moderator (resolving a report with HIDE_POST): only its author and admins see it. */
  hidden?: boolean;
};

/** A post as a read finds it, with whether everyone may see it (not hidden, its author not suspended). */
export type PostView = PostRecord & { visible: boolean; hidden: boolean };
export type PostDetailFields = Partial<Prisma.PostDetailGetPayload<{ select: typeof DETAIL_SELECT }>>;

/** What a client writes of a post (the price as a number: JSON has no bigint). */
export type PostFields = Pick<
  PostSummaryRecord,
  | 'title'
  | 'images'
  | 'address'
  | 'city'
  | 'bedroom'
  | 'bathroom'
  | 'latitude'
  | 'longitude'
  | 'type'
  | 'property'
> & { price: number };

/** What a deleted post was, for what its deletion writes alongside (its audit event). */
export interface DeletedPost {
  authorId: string;
  accountId: string | null;
  title: string;
}

/** Who may change a post is decided from these (and, for a post withheld from the public, who may see it). */
export interface PostOwnership {
  id: string;
  authorId: string;
  accountId: string | null;
  visible: boolean;
}

export interface PostFilter {
  authorId?: string;
  city?: string;
  type?: PostType;
  property?: PropertyType;
  minPrice?: number;
  maxPrice?: number;
  bedroom?: number;
  bathroom?: number;
  q?: string;
  bbox?: { minLng: number; minLat: number; maxLng: number; maxLat: number };
}

/** Where a page starts: after the row with this sort key (creation time or price) and id. */
export type PostPosition = Position<Date> | Position<number>;

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

/** A post row with its detail's columns (all null when it has no detail). */
const POST_WITH_DETAIL_COLUMNS = {
  ...POST_ROW_COLUMNS,
  version: 'int4',
  visible: 'bool',
  hidden: 'bool',
  detail_post_id: 'uuid?',
  detail_desc: 'text?',
  detail_utilities: 'text?',
  detail_pet: 'text?',
  detail_income: 'text?',
  detail_size: 'int4?',
  detail_school: 'int4?',
  detail_bus: 'int4?',
  detail_restaurant: 'int4?',
  photos: column('json').as<PhotoRecord[]>(),
} satisfies Columns;

const ORDER: Record<PostSort, Prisma.Sql> = {
  newest: Prisma.sql`p.created_at DESC, p.id DESC`,
  price_asc: Prisma.sql`p.price ASC, p.id ASC`,
  price_desc: Prisma.sql`p.price DESC, p.id DESC`,
};

@Injectable()
export class PostsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
  ) {}

  /** One post with its detail, author and (for a viewer) whether they saved it: one statement. */
  async findById(id: string, viewerId?: string): Promise<PostView | null> {
    // Hand-written and typed: the hottest read skips Prisma's per-call work (see bench/RESULTS.md).
    const rows = viewerId
      ? await this.sql.run(POST_BY_ID_FOR_VIEWER, [id, viewerId])
      : await this.sql.run(POST_BY_ID, [id]);
    const row = rows[0];
    if (!row) {
      return null;
    }
    const detail = row.detail_post_id
      ? {
          desc: row.detail_desc,
          utilities: row.detail_utilities,
          pet: row.detail_pet,
          income: row.detail_income,
          size: row.detail_size,
          school: row.detail_school,
          bus: row.detail_bus,
          restaurant: row.detail_restaurant,
        }
      : null;
    return {
      ...toSummaryRecord(row),
      version: row.version,
      detail,
      photos: row.photos,
      visible: row.visible,
      hidden: row.hidden,
    };
  }

  async findOwnership(id: string): Promise<PostOwnership | null> {
    const post = await this.prisma.post.findUnique({
      where: { id },
      select: { id: true, authorId: true, accountId: true, visible: true },
    });
    // `visible` is generated by the database and never null.
    return post && { ...post, visible: post.visible !== false };
  }

  /**
   * Creates a post and its detail in one write; with `alongside`, in a transaction with what it writes
   * (the change's events).
   */
  create(
    authorId: string,
    fields: PostFields,
    detail?: PostDetailFields,
    accountId?: string,
    alongside?: (tx: Transaction, post: PostRecord) => Promise<void>,
  ): Promise<PostRecord> {
    const write = (db: Transaction) =>
      db.post.create({
        data: {
          ...fields,
          price: BigInt(fields.price),
          authorId,
          accountId: accountId ?? null,
          ...(detail ? { detail: { create: detail } } : {}),
        },
        select: POST_SELECT,
      });
    if (!alongside) {
      return write(this.prisma);
    }
    return this.prisma.$transaction(async (tx) => {
      const post = await write(tx);
      await alongside(tx, post);
      return post;
    });
  }

  /**
   * Changes a post and its detail (created if missing) in one transaction, raising its version. False
   * when no post has this id, or (given `version`) it is no longer at that version.
   */
  async update(
    id: string,
    fields: Partial<PostFields>,
    detail?: PostDetailFields,
    version?: number,
    alongside?: (tx: Transaction, changed: () => Promise<PostRecord | null>) => Promise<void>,
  ): Promise<boolean> {
    const write = (db: Transaction) =>
      db.post.update({
        where: { id, version },
        data: {
          ...fields,
          price: fields.price === undefined ? undefined : BigInt(fields.price),
          version: { increment: 1 },
          ...(detail ? { detail: { upsert: { create: detail, update: detail } } } : {}),
        },
        select: { id: true },
      });
    try {
      if (alongside) {
        // `changed` reads the post as changed, inside the transaction, only if what runs alongside needs it.
        await this.prisma.$transaction(async (tx) => {
          await write(tx);
          await alongside(tx, () => tx.post.findUnique({ where: { id }, select: POST_SELECT }));
        });
      } else {
        await write(this.prisma);
      }
      return true;
    } catch (error) {
      if (classifyPrismaError(error) === 'not_found') {
        return false;
      }
      throw error;
    }
  }

  /**
   * Deletes a post; its detail and saves go with it (cascades); `alongside` runs in its transaction if
   * it did, knowing what the post was.
   */
  async delete(
    id: string,
    alongside?: (tx: Transaction, deleted: DeletedPost) => Promise<void>,
  ): Promise<boolean> {
    if (!alongside) {
      const { count } = await this.prisma.post.deleteMany({ where: { id } });
      return count > 0;
    }
    return this.prisma.$transaction(async (tx) => {
      let deleted: DeletedPost;
      try {
        deleted = await tx.post.delete({
          where: { id },
          select: { authorId: true, accountId: true, title: true },
        });
      } catch (error) {
        if (classifyPrismaError(error) === 'not_found') {
          return false;
        }
        throw error;
      }
      await alongside(tx, deleted);
      return true;
    });
  }

  /**
   * A page of posts in one statement: every filter, the keyset condition and the order are written so
   * that an index (city key, price, creation time, text search) serves them. Fetches `limit + 1`.
   * A text search first asks the text index whether its matches are few (one more, bounded statement).
   */
  async list(
    filter: PostFilter,
    sort: PostSort,
    limit: number,
    after?: PostPosition,
    viewerId?: string,
  ): Promise<PostSummaryRecord[]> {
    const materialize = filter.q
      ? (await this.sql.query<{ few: boolean }>(fewMatchesQuery(filter.q)))[0].few
      : false;
    const rows = await this.sql.query<PostRow>(
      listPostsQuery(filter, sort, limit, after, viewerId, materialize),
    );
    return rows.map(toSummaryRecord);
  }
}

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

/** Whether the viewer saved the post `p`; null (not asked) for an anonymous viewer. */
function savedColumn(viewerId?: string | SqlParameter): Prisma.Sql {
  return viewerId
    ? Prisma.sql`EXISTS (SELECT 1 FROM saved_posts s WHERE s.user_id = ${viewerId}::uuid AND s.post_id = p.id)`
    : Prisma.sql`NULL::boolean`;
}

/** One post with its detail and author, and whether the viewer (when there is one) saved it. */
function postById(id: SqlParameter, viewerId?: SqlParameter): Prisma.Sql {
  return Prisma.sql`
    SELECT ${SUMMARY_COLUMNS}, ${savedColumn(viewerId)} AS saved, p.version, p.visible,
           p.hidden_at IS NOT NULL AS hidden,
           d.post_id AS detail_post_id, d."desc" AS detail_desc, d.utilities AS detail_utilities,
           d.pet AS detail_pet, d.income AS detail_income, d.size AS detail_size, d.school AS detail_school,
           d.bus AS detail_bus, d.restaurant AS detail_restaurant,
           COALESCE((SELECT json_agg(json_build_object('id', ph.id, 'position', ph.position, 'width', ph.width,
                       'height', ph.height, 'displayKey', ph.display_key, 'thumbKey', ph.thumb_key)
                       ORDER BY ph.position)
                       FROM photos ph WHERE ph.post_id = p.id), '[]'::json) AS photos
      FROM posts p JOIN users u ON u.id = p.author_id LEFT JOIN post_details d ON d.post_id = p.id
     WHERE p.id = ${id}::uuid`;
}

const POST_BY_ID = preparedStatement<[id: string]>('posts_by_id', (id) => postById(id)).returning(
  POST_WITH_DETAIL_COLUMNS,
);
const POST_BY_ID_FOR_VIEWER = preparedStatement<[id: string, viewerId: string]>(
  'posts_by_id_for_viewer',
  postById,
).returning(POST_WITH_DETAIL_COLUMNS);

/** Below this many matches, a text search sorts its matches instead of walking an order's index. */
export const FEW_MATCHES = 2000;

/** Whether a text search has fewer than FEW_MATCHES matches: read from the text index, bounded. */
export function fewMatchesQuery(q: string): Prisma.Sql {
  return Prisma.sql`SELECT count(*) < ${FEW_MATCHES} AS few
    FROM (SELECT 1 FROM posts WHERE search_vector @@ websearch_to_tsquery('simple', ${q}) AND visible
           LIMIT ${FEW_MATCHES}) hits`;
}

/**
 * The statement behind `list`, exported so `npm run db:explain` can show its plans. With
 * `materializeMatches`, the text matches are read through the text index first (the planner would
 * otherwise walk the whole order index looking for a rare word), then sorted.
 */
export function listPostsQuery(
  filter: PostFilter,
  sort: PostSort,
  limit: number,
  after?: PostPosition,
  viewerId?: string,
  materializeMatches = false,
): Prisma.Sql {
  const source =
    materializeMatches && filter.q
      ? Prisma.sql`(SELECT * FROM posts WHERE search_vector @@ websearch_to_tsquery('simple', ${filter.q}) OFFSET 0)`
      : Prisma.sql`posts`;
  const conditions = [...filterConditions(filter), ...(after ? [keysetCondition(sort, after)] : [])];
  const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
  return Prisma.sql`
    SELECT ${SUMMARY_COLUMNS}, ${savedColumn(viewerId)} AS saved
      FROM ${source} p JOIN users u ON u.id = p.author_id
      ${where}
     ORDER BY ${ORDER[sort]}
     LIMIT ${limit + 1}`;
}

function filterConditions(filter: PostFilter): Prisma.Sql[] {
  // Every list shows only what everyone may see: the indexes of its orders start with this column.
  const conditions: Prisma.Sql[] = [VISIBLE];
  if (filter.authorId) {
    conditions.push(Prisma.sql`p.author_id = ${filter.authorId}::uuid`);
  }
  if (filter.city) {
    conditions.push(Prisma.sql`p.city_key = lower(${filter.city})`);
  }
  if (filter.type) {
    conditions.push(Prisma.sql`p.type = ${filter.type}::"PostType"`);
  }
  if (filter.property) {
    conditions.push(Prisma.sql`p.property = ${filter.property}::"PropertyType"`);
  }
  if (filter.minPrice !== undefined) {
    conditions.push(Prisma.sql`p.price >= ${BigInt(filter.minPrice)}`);
  }
  if (filter.maxPrice !== undefined) {
    conditions.push(Prisma.sql`p.price <= ${BigInt(filter.maxPrice)}`);
  }
  if (filter.bedroom !== undefined) {
    conditions.push(Prisma.sql`p.bedroom >= ${filter.bedroom}`);
  }
  if (filter.bathroom !== undefined) {
    conditions.push(Prisma.sql`p.bathroom >= ${filter.bathroom}`);
  }
  if (filter.q) {
    conditions.push(Prisma.sql`p.search_vector @@ websearch_to_tsquery('simple', ${filter.q})`);
  }
  if (filter.bbox) {
    const { minLng, minLat, maxLng, maxLat } = filter.bbox;
    conditions.push(
      Prisma.sql`p.latitude BETWEEN ${minLat} AND ${maxLat} AND p.longitude BETWEEN ${minLng} AND ${maxLng}`,
    );
  }
  return conditions;
}

function keysetCondition(sort: PostSort, after: PostPosition): Prisma.Sql {
  switch (sort) {
    case 'newest':
      return Prisma.sql`(p.created_at, p.id) < (${timeOf(after)}::timestamptz, ${after.id}::uuid)`;
    case 'price_asc':
      return Prisma.sql`(p.price, p.id) > (${priceOf(after)}, ${after.id}::uuid)`;
    case 'price_desc':
      return Prisma.sql`(p.price, p.id) < (${priceOf(after)}, ${after.id}::uuid)`;
  }
}

/** The sort key of a position of the newest-first order (the service gives each order its own cursors). */
function timeOf(after: PostPosition): Date {
  if (!(after.key instanceof Date)) {
    throw new TypeError('A position in the newest-first order holds a time');
  }
  return after.key;
}

function priceOf(after: PostPosition): bigint {
  if (typeof after.key !== 'number') {
    throw new TypeError('A position in a price order holds a price');
  }
  return BigInt(after.key);
}

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
