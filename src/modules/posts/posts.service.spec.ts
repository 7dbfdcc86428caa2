import { postSummaryRecord } from '../../../test/factories/records';
import { strictFake } from '../../../test/helpers/strict-fake';
import type { AuthUser } from '../../common/auth/auth-user';
import { UserRole } from '../../common/auth/roles';
import { PreconditionFailedError, RequestValidationError } from '../../common/errors/domain-error';
import { entityTagOf, IfMatch } from '../../common/http/conditional';
import { CursorCodec, InvalidCursorError } from '../../common/pagination/cursor-codec';
import type { UsersRepository } from '../users/users.repository';
import type { AccountsRepository } from '../accounts/accounts.repository';
import type { WebhookEvents } from '../webhooks/webhook-events';
import { ListPostsQueryDto } from './dto/post-query.dto';
import { NotPostOwnerError, PostNotFoundError } from './posts.errors';
import type { PostRecord, PostsRepository, PostSummaryRecord } from './posts.repository';
import { toPostDto } from './posts.mapper';
import { MediaStorage, MediaUrls } from '../photos/storage/media-storage';
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

function build(posts: Partial<PostsRepository>) {
  const cursors = new CursorCodec('unit-test-cursor-secret');
  return {
    service: new PostsService(
      strictFake<PostsRepository>(posts),
      strictFake<UsersRepository>({}),
      strictFake<AccountsRepository>({ findRole: () => Promise.resolve(null) }),
      cursors,
      strictFake<WebhookEvents>({}),
      media,
      strictFake<MediaStorage>({}),
    ),
    cursors,
  };
}

const post: PostRecord = {
  ...summary('p1', 1, '2026-01-01T00:00:00Z'),
  version: 3,
  detail: null,
  photos: [],
};

describe(PostsService.name, () => {
  describe('who may change a post', () => {
    const ownership = () => Promise.resolve({ id: 'p1', authorId: 'author', accountId: null });

    it('refuses anyone but the author or an admin, before writing', async () => {
      const { service } = build({ findOwnership: ownership });
      await expect(service.updatePost(stranger, 'p1', {})).rejects.toThrow(NotPostOwnerError);
      await expect(service.deletePost(stranger, 'p1')).rejects.toThrow(NotPostOwnerError);
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
      await expect(service.deletePost(author, 'nope')).rejects.toThrow(PostNotFoundError);
    });
  });

  describe('a change under If-Match', () => {
    const ownership = () => Promise.resolve({ id: 'p1', authorId: 'author', accountId: null });
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
      expect(update).toHaveBeenCalledWith('p1', { title: 'New' }, undefined, 3, undefined);
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
