import { Injectable } from '@nestjs/common';

import type { AuthUser } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import { PreconditionFailedError, RequestValidationError } from '@/common/errors/domain-error';
import type { IfMatch } from '@/common/http/conditional';
import { CursorCodec, Keyset } from '@/common/pagination/cursor-codec';
import type { PageDto } from '@/common/pagination/page.dto';
import type { PageQueryDto } from '@/common/pagination/page-query.dto';
import { Transactions } from '@/database/transactions';

import { isManager } from '../accounts/account-roles';
import { AccountNotFoundError } from '../accounts/accounts.errors';
import { AccountsRepository } from '../accounts/accounts.repository';
import { AuditAction, AuditTargetType } from '../audit/audit-actions';
import type { AuditContext } from '../audit/audit-context';
import { AuditLog } from '../audit/audit-log';
import { postFolder } from '../photos/storage/media-keys';
import { MediaStorage, MediaUrls } from '../photos/storage/media-storage';
import { UserNotFoundError } from '../users/users.errors';
import { UsersRepository } from '../users/users.repository';
import { WebhookEventType } from '../webhooks/webhook-event-types';
import { WebhookEvents } from '../webhooks/webhook-events';
import type { PostDto, PostSummaryDto } from './dto/post.dto';
import type { CreatePostDto, UpdatePostDto } from './dto/post-input.dto';
import type { ListPostsQueryDto } from './dto/post-query.dto';
import { PostSort } from './post-enums';
import { PostSummaryRecord } from './post-summary.repository';
import { ApiKeyAccountMismatchError, NotPostOwnerError, PostNotFoundError } from './posts.errors';
import { toPostDto, toPostSummaryDto } from './posts.mapper';
import { PostFilter, PostOwnership, PostPosition, PostsRepository, PostView } from './posts.repository';

const byNewest = (kind: string) =>
  Keyset.byTime<PostSummaryRecord>(kind, (post) => ({ key: post.createdAt, id: post.id }));
const byPrice = (kind: string) =>
  Keyset.byInteger<PostSummaryRecord>(kind, (post) => ({ key: Number(post.price), id: post.id }));

/** Each order of the post list has cursors of its own; a user's posts are a list of their own too. */
const POSTS: Record<PostSort, Keyset<PostSummaryRecord, PostPosition>> = {
  [PostSort.Newest]: byNewest('posts:newest'),
  [PostSort.PriceAsc]: byPrice('posts:price_asc'),
  [PostSort.PriceDesc]: byPrice('posts:price_desc'),
};
const USER_POSTS = byNewest('user-posts:newest');

@Injectable()
export class PostsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly posts: PostsRepository,
    private readonly users: UsersRepository,
    private readonly accounts: AccountsRepository,
    private readonly cursors: CursorCodec,
    private readonly webhooks: WebhookEvents,
    private readonly media: MediaUrls,
    private readonly storage: MediaStorage,
    private readonly audit: AuditLog,
  ) {}

  /** Public; a signed-in viewer also learns whether they saved it. */
  async getPost(id: string, viewer?: AuthUser): Promise<PostDto> {
    const post = await this.posts.findById(id, personOf(viewer));
    if (!post || !maySee(post, viewer)) {
      throw new PostNotFoundError();
    }
    return toPostDto(post, this.media);
  }

  /**
   * A person publishes as the author, optionally for an account they are a member of. An API key
   * publishes for its account, naming the user who created the key as the author.
   */
  async createPost(actor: AuthUser, input: CreatePostDto): Promise<PostDto> {
    const { detail, accountId: requested, ...fields } = input;
    let accountId = requested?.toLowerCase();
    if (actor.kind === 'api-key') {
      if (accountId && accountId !== actor.accountId) {
        throw new ApiKeyAccountMismatchError();
      }
      accountId = actor.accountId;
    } else if (accountId && !(await this.accounts.findRole(accountId, actor.id))) {
      throw new AccountNotFoundError();
    }
    const told = await this.accountToTell(accountId, WebhookEventType.PostCreated);
    const created = told
      ? await this.transactions.run(async (tx) => {
          const post = await this.posts.create(tx, actor.id, fields, detail, accountId);
          await this.webhooks.publish(tx, told, WebhookEventType.PostCreated, () => ({
            post: toPostDto(post, this.media),
          }));
          return post;
        })
      : await this.posts.create(undefined, actor.id, fields, detail, accountId);
    return toPostDto(created, this.media);
  }

  /**
   * With `ifMatch`, the change applies only to the representation the caller last read (412 otherwise,
   * also when another change lands between this check and the write). Answers what a read answers.
   */
  async updatePost(actor: AuthUser, id: string, input: UpdatePostDto, ifMatch?: IfMatch): Promise<PostDto> {
    const ownership = await this.posts.findOwnership(id);
    await this.assertCanChange(actor, ownership);
    let version: number | undefined;
    if (ifMatch) {
      const current = await this.posts.findById(id, personOf(actor));
      version = ifMatch.versionOf(
        current,
        (post) => toPostDto(post, this.media),
        (post) => post.version,
      );
    }
    const { detail, ...fields } = input;
    const refusal = () => (version === undefined ? new PostNotFoundError() : new PreconditionFailedError());
    const told = await this.accountToTell(ownership?.accountId, WebhookEventType.PostUpdated);
    if (told) {
      await this.transactions.run(async (tx) => {
        if (!(await this.posts.update(tx, id, fields, detail, version))) {
          throw refusal();
        }
        // The post as an anonymous `GET` answers it, read only when an endpoint takes the event.
        await this.webhooks.publish(tx, told, WebhookEventType.PostUpdated, async () => {
          const post = await this.posts.findInTransaction(tx, id);
          return { post: post && toPostDto(post, this.media) };
        });
      });
    } else if (!(await this.posts.update(undefined, id, fields, detail, version))) {
      throw refusal();
    }
    return this.getPost(id, actor);
  }

  /** Recorded in the audit log when someone other than its author deletes it (an admin, a manager, a key). */
  async deletePost(actor: AuthUser, id: string, audit: AuditContext): Promise<void> {
    const ownership = await this.posts.findOwnership(id);
    await this.assertCanChange(actor, ownership);
    const told = await this.accountToTell(ownership?.accountId, WebhookEventType.PostDeleted);
    const byOther = actor.kind === 'api-key' || actor.id !== ownership?.authorId;
    if (told || byOther) {
      await this.transactions.run(async (tx) => {
        const deleted = await this.posts.delete(tx, id);
        if (!deleted) {
          throw new PostNotFoundError();
        }
        if (told) {
          await this.webhooks.publish(tx, told, WebhookEventType.PostDeleted, () => ({ post: { id } }));
        }
        if (byOther) {
          await this.audit.record(tx, audit, {
            action: AuditAction.PostDeleted,
            target: { type: AuditTargetType.Post, id },
            accountId: deleted.accountId,
            metadata: { authorId: deleted.authorId, title: deleted.title },
          });
        }
      });
    } else if (!(await this.posts.delete(undefined, id))) {
      throw new PostNotFoundError();
    }
    // The photos' rows went with the post (cascade); their files go now.
    await this.storage.discard(postFolder(id));
  }

  /** Refuses as a change of the post would (404, 403): for what belongs to a post, such as its photos. */
  async assertMayChange(actor: AuthUser, postId: string): Promise<void> {
    await this.assertCanChange(actor, await this.posts.findOwnership(postId));
  }

  async listPosts(query: ListPostsQueryDto, viewer?: AuthUser): Promise<PageDto<PostSummaryDto>> {
    const filter: PostFilter = {
      city: query.city,
      type: query.type,
      property: query.property,
      minPrice: query.minPrice,
      maxPrice: query.maxPrice,
      bedroom: query.bedroom,
      bathroom: query.bathroom,
      q: query.q,
      bbox: query.bbox ? parseBbox(query.bbox) : undefined,
    };
    if (filter.minPrice !== undefined && filter.maxPrice !== undefined && filter.minPrice > filter.maxPrice) {
      throw new RequestValidationError([
        { field: 'maxPrice', message: 'maxPrice must not be below minPrice' },
      ]);
    }
    return this.cursors.page(
      POSTS[query.sort],
      query,
      (after) => this.posts.list(filter, query.sort, query.limit, after, personOf(viewer)),
      (post) => toPostSummaryDto(post, this.media),
    );
  }

  /** A user's posts, newest first (public). */
  async listUserPosts(
    userId: string,
    page: PageQueryDto,
    viewer?: AuthUser,
  ): Promise<PageDto<PostSummaryDto>> {
    const after = this.cursors.after(USER_POSTS, page.cursor);
    if (!(await this.users.exists(userId))) {
      throw new UserNotFoundError();
    }
    const rows = await this.posts.list(
      { authorId: userId },
      PostSort.Newest,
      page.limit,
      after,
      personOf(viewer),
    );
    return this.cursors.toPage(USER_POSTS, rows, page.limit, (post) => toPostSummaryDto(post, this.media));
  }

  /**
   * The post's account, when an endpoint of it takes events of `type`: then the change and its event are
   * written in one transaction. Asked before the change, so that a change nobody listens to is one write
   * on its own.
   */
  private async accountToTell(
    accountId: string | null | undefined,
    type: WebhookEventType,
  ): Promise<string | undefined> {
    return accountId && (await this.webhooks.wanted(accountId, type)) ? accountId : undefined;
  }

  /**
   * Who may change a post: its author, a platform admin, an OWNER or ADMIN of its account, or an API
   * key of its account. Posts are public, so anyone else gets 403.
   */
  private async assertCanChange(actor: AuthUser, post: PostOwnership | null): Promise<void> {
    if (!post || !maySee(post, actor)) {
      throw new PostNotFoundError();
    }
    if (actor.kind === 'api-key') {
      if (post.accountId !== actor.accountId) {
        throw new NotPostOwnerError();
      }
      return;
    }
    if (post.authorId === actor.id || actor.role === UserRole.Admin) {
      return;
    }
    if (!post.accountId || !isManager(await this.accounts.findRole(post.accountId, actor.id))) {
      throw new NotPostOwnerError();
    }
  }
}

/**
 * A post withheld from the public (hidden by moderation, or its author suspended) does not exist for
 * anyone but its author and platform admins.
 */
function maySee(post: PostView | PostOwnership, viewer?: AuthUser): boolean {
  if (post.visible || viewer?.role === UserRole.Admin) {
    return true;
  }
  const authorId = 'authorId' in post ? post.authorId : post.author.id;
  return viewer?.kind === 'user' && viewer.id === authorId;
}

/** A signed-in person learns which posts they saved; an API key has no saves. */
function personOf(viewer?: AuthUser): string | undefined {
  return viewer?.kind === 'user' ? viewer.id : undefined;
}

function parseBbox(value: string): PostFilter['bbox'] {
  const [minLng, minLat, maxLng, maxLat] = value.split(',').map(Number);
  const valid =
    minLng >= -180 && maxLng <= 180 && minLat >= -90 && maxLat <= 90 && minLng <= maxLng && minLat <= maxLat;
  if (!valid) {
    throw new RequestValidationError([
      {
        field: 'bbox',
        message: 'bbox must be minLng,minLat,maxLng,maxLat within -180..180 and -90..90, min before max',
      },
    ]);
  }
  return { minLng, minLat, maxLng, maxLat };
}
