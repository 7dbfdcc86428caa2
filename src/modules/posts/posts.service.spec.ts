import type { AuthUser } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import { PreconditionFailedError, RequestValidationError } from '@/common/errors/domain-error';
import { entityTagOf, IfMatch } from '@/common/http/conditional';
import { CursorCodec, InvalidCursorError } from '@/common/pagination/cursor-codec';
import type { Transaction } from '@/database/sql-executor';
import { postSummaryRecord } from '@test/factories/records';
import { fakeTransactions } from '@test/helpers/fake-transactions';
import { strictFake } from '@test/helpers/strict-fake';

import type { AccountsRepository } from '../accounts/accounts.repository';
import { AuditAction, AuditActorType, AuditTargetType } from '../audit/audit-actions';
import type { AuditContext } from '../audit/audit-context';
import type { AuditLog } from '../audit/audit-log';
import { MediaStorage, MediaUrls } from '../photos/storage/media-storage';
import type { UsersRepository } from '../users/users.repository';
import type { WebhookEvents } from '../webhooks/webhook-events';
import { ListPostsQueryDto } from './dto/post-query.dto';
import type { PostSummaryRecord } from './post-summary.repository';
import { NotPostOwnerError, PostNotFoundError } from './posts.errors';
import { toPostDto } from './posts.mapper';
import type { PostsRepository, PostView } from './posts.repository';
import { PostsService } from './posts.service';

const author: AuthUser = { kind: 'user', id: 'author', role: UserRole.User, sessionId: 's1' };
const stranger: AuthUser = { kind: 'user', id: 'stranger', role: UserRole.User, sessionId: 's2' };
const admin: AuthUser = { kind: 'user', id: 'admin', role: UserRole.Admin, sessionId: 's3' };

function summary(id: string, price: number, createdAt: string): PostSummaryRecord {
  return postSummaryRecord({ id, price: BigInt(price), createdAt: new Date(createdAt) });
}

const query = (overrides: Partial<ListPostsQueryDto> = {}): ListPostsQueryDto =>
  Object.assign<ListPostsQueryDto, Partial<ListPostsQueryDto>>(
    Object.assign(new ListPostsQueryDto(), { limit: 2 }),
    overrides,
  );

const media = new MediaUrls('/media');
const tx = {} as Transaction;
const audit: AuditContext = {
  actor: { type: AuditActorType.User, id: 'admin' },
  ip: '192.0.2.1',
  requestId: 'r1',
};

function build(
  posts: Partial<PostsRepository>,
  log: Partial<AuditLog> = {},
  storage: Partial<MediaStorage> = {},
  webhooks: Partial<WebhookEvents> = {},
) {
  const cursors = new CursorCodec('unit-test-cursor-secret');
  return {
    service: new PostsService(
      fakeTransactions(tx),
      strictFake<PostsRepository>(posts),
      strictFake<UsersRepository>({}),
      strictFake<AccountsRepository>({ findRole: () => Promise.resolve(null) }),
      cursors,
      strictFake<WebhookEvents>(webhooks),
      media,
      strictFake<MediaStorage>(storage),
      strictFake<AuditLog>(log),
    ),
    cursors,
  };
}

const post: PostView = {
  ...summary('p1', 1, '2026-01-01T00:00:00Z'),
  version: 3,
  detail: null,
  photos: [],
  visible: true,
  hidden: false,
};

describe(PostsService.name, () => {
  describe('who may change a post', () => {
    const ownership = () => Promise.resolve({ id: 'p1', authorId: 'author', accountId: null, visible: true });

    it('refuses anyone but the author or an admin, before writing', async () => {
      const { service } = build({ findOwnership: ownership });
      await expect(service.updatePost(stranger, 'p1', {})).rejects.toThrow(NotPostOwnerError);
      await expect(service.deletePost(stranger, 'p1', audit)).rejects.toThrow(NotPostOwnerError);
    });

    it('lets the author and an admin through', async () => {
      const update = jest.fn().mockResolvedValue(true);
      const { service } = build({ findOwnership: ownership, update, findById: () => Promise.resolve(post) });
      await service.updatePost(author, 'p1', {});
      await service.updatePost(admin, 'p1', {});
      expect(update).toHaveBeenCalledTimes(2);
    });

    it('answers not found for an unknown post', async () => {
      const { service } = build({ findOwnership: () => Promise.resolve(null) });
      await expect(service.deletePost(author, 'nope', audit)).rejects.toThrow(PostNotFoundError);
    });

    it("records a deletion by someone other than the author in the deletion's transaction, not the author's own", async () => {
      const deleted = { authorId: 'author', accountId: null, title: 'Sunny flat' };
      const remove = jest.fn().mockResolvedValue(deleted);
      const record = jest.fn().mockResolvedValue(undefined);
      const discard = jest.fn().mockResolvedValue(undefined);
      const { service } = build({ findOwnership: ownership, delete: remove }, { record }, { discard });

      await service.deletePost(admin, 'p1', audit);
      expect(remove).toHaveBeenLastCalledWith(tx, 'p1');
      expect(record).toHaveBeenCalledWith(tx, audit, {
        action: AuditAction.PostDeleted,
        target: { type: AuditTargetType.Post, id: 'p1' },
        accountId: null,
        metadata: { authorId: 'author', title: 'Sunny flat' },
      });
      record.mockClear();
      await service.deletePost(author, 'p1', audit);
      expect(remove).toHaveBeenLastCalledWith(undefined, 'p1');
      expect(record).not.toHaveBeenCalled();
    });
  });

  describe('a change under If-Match', () => {
    const ownership = () => Promise.resolve({ id: 'p1', authorId: 'author', accountId: null, visible: true });
    const findById = () => Promise.resolve(post);

    it('writes against the version whose representation the tag names', async () => {
      const update = jest.fn().mockResolvedValue(true);
      const { service } = build({ findOwnership: ownership, findById, update });
      await service.updatePost(
        author,
        'p1',
        { title: 'New' },
        IfMatch.of(entityTagOf(toPostDto(post, media))),
      );
      expect(update).toHaveBeenCalledWith(undefined, 'p1', { title: 'New' }, undefined, 3);
    });

    it('refuses a stale or weak tag without writing', async () => {
      const update = jest.fn();
      const { service } = build({ findOwnership: ownership, findById, update });
      const stale = { ...post, title: 'Before' };
      for (const field of [
        entityTagOf(toPostDto(stale, media)),
        `W/${entityTagOf(toPostDto(post, media))}`,
        'nonsense',
      ]) {
        await expect(service.updatePost(author, 'p1', {}, IfMatch.of(field))).rejects.toThrow(
          PreconditionFailedError,
        );
      }
      expect(update).not.toHaveBeenCalled();
    });

    it('refuses when another change lands between the check and the write', async () => {
      const { service } = build({ findOwnership: ownership, findById, update: () => Promise.resolve(false) });
      await expect(service.updatePost(author, 'p1', {}, IfMatch.of('*'))).rejects.toThrow(
        PreconditionFailedError,
      );
    });
  });

  describe("the events of an account's posts", () => {
    const ownership = () => Promise.resolve({ id: 'p1', authorId: 'author', accountId: 'a1', visible: true });
    const listening = () => ({
      wanted: jest.fn().mockResolvedValue(true),
      publish: jest.fn(
        async (_tx: Transaction, _accountId: string, _type: string, data: () => Promise<object> | object) => {
          published.push(await data());
        },
      ),
    });
    let published: object[];
    beforeEach(() => (published = []));

    it("writes a change and its event in the change's transaction, the post as a read answers it", async () => {
      const webhooks = listening();
      const update = jest.fn().mockResolvedValue(true);
      const findInTransaction = jest.fn().mockResolvedValue(post);
      const { service } = build(
        { findOwnership: ownership, update, findInTransaction, findById: () => Promise.resolve(post) },
        {},
        {},
        webhooks,
      );
      await service.updatePost(author, 'p1', { title: 'New' });
      expect(update).toHaveBeenCalledWith(tx, 'p1', { title: 'New' }, undefined, undefined);
      expect(findInTransaction).toHaveBeenCalledWith(tx, 'p1');
      expect(webhooks.publish).toHaveBeenCalledWith(tx, 'a1', 'post.updated', expect.any(Function));
      expect(published).toEqual([{ post: toPostDto(post, media) }]);
    });

    it('writes no event, and ends the transaction in a refusal, when the change finds no post at its version', async () => {
      const webhooks = listening();
      const { service } = build(
        {
          findOwnership: ownership,
          findById: () => Promise.resolve(post),
          update: () => Promise.resolve(false),
        },
        {},
        {},
        webhooks,
      );
      await expect(service.updatePost(author, 'p1', {}, IfMatch.of('*'))).rejects.toThrow(
        PreconditionFailedError,
      );
      expect(webhooks.publish).not.toHaveBeenCalled();
    });

    it('tells the id of a deleted post, in the transaction of its deletion', async () => {
      const webhooks = listening();
      const remove = jest
        .fn()
        .mockResolvedValue({ authorId: 'author', accountId: 'a1', title: 'Sunny flat' });
      const { service } = build(
        { findOwnership: ownership, delete: remove },
        {},
        { discard: () => Promise.resolve() },
        webhooks,
      );
      await service.deletePost(author, 'p1', audit);
      expect(remove).toHaveBeenCalledWith(tx, 'p1');
      expect(webhooks.publish).toHaveBeenCalledWith(tx, 'a1', 'post.deleted', expect.any(Function));
      expect(published).toEqual([{ post: { id: 'p1' } }]);
    });
  });

  describe('listing', () => {
    it('gives a cursor at the last row kept when there is a next page', async () => {
      const rows = [
        summary('c', 30, '2026-03-01T00:00:00Z'),
        summary('b', 20, '2026-02-01T00:00:00Z'),
        summary('a', 10, '2026-01-01T00:00:00Z'),
      ];
      const list = jest.fn().mockResolvedValue(rows);
      const { service, cursors } = build({ list });
      const page = await service.listPosts(query({ sort: 'price_asc' }));
      expect(page.data.map((post) => post.id)).toEqual(['c', 'b']);
      expect(cursors.decode('posts:price_asc', page.nextCursor!)).toEqual([20, 'b']);
      await service.listPosts(query({ sort: 'price_asc', cursor: page.nextCursor! }));
      expect(list).toHaveBeenLastCalledWith(
        expect.anything(),
        'price_asc',
        2,
        { key: 20, id: 'b' },
        undefined,
      );
    });

    it('refuses a cursor made for another sort', async () => {
      const { service, cursors } = build({});
      const cursor = cursors.encode('posts:price_asc', [20, 'b']);
      await expect(service.listPosts(query({ cursor }))).rejects.toThrow(InvalidCursorError);
    });

    it('refuses a price range upside down and a bad map box', async () => {
      const { service } = build({});
      await expect(service.listPosts(query({ minPrice: 10, maxPrice: 5 }))).rejects.toThrow(
        RequestValidationError,
      );
      await expect(service.listPosts(query({ bbox: '10,0,-10,5' }))).rejects.toThrow(RequestValidationError);
      await expect(service.listPosts(query({ bbox: '0,0,200,5' }))).rejects.toThrow(RequestValidationError);
    });
  });
});
