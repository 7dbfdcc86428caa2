import type { AuthUser } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import { CursorCodec } from '@/common/pagination/cursor-codec';
import { postSummaryRecord } from '@test/factories/records';
import { strictFake } from '@test/helpers/strict-fake';

import { MediaUrls } from '../photos/storage/media-storage';
import { PostNotFoundError } from '../posts/posts.errors';
import { SavedPostNotFoundError } from './saved-posts.errors';
import type { SavedPostsRepository } from './saved-posts.repository';
import { SavedPostsService } from './saved-posts.service';

const actor: AuthUser = { kind: 'user', id: 'u1', role: UserRole.User, sessionId: 's1' };
const cursors = new CursorCodec('unit-test-cursor-secret');

describe(SavedPostsService.name, () => {
  it('answers not found when the post is deleted between the save and its read', async () => {
    const service = new SavedPostsService(
      strictFake<SavedPostsRepository>({
        save: () => Promise.resolve(true),
        find: () => Promise.resolve(null),
      }),
      cursors,
      new MediaUrls('/media'),
    );
    await expect(service.savePost(actor, 'p1')).rejects.toThrow(PostNotFoundError);
  });

  it('says whether the call created the save', async () => {
    const record = {
      id: 's1',
      postId: 'p1',
      createdAt: new Date('2026-01-01T00:00:00Z'),
      post: postSummaryRecord(),
    };
    for (const created of [true, false]) {
      const service = new SavedPostsService(
        strictFake<SavedPostsRepository>({
          save: () => Promise.resolve(created),
          find: () => Promise.resolve(record),
        }),
        cursors,
        new MediaUrls('/media'),
      );
      const result = await service.savePost(actor, 'p1');
      expect(result.created).toBe(created);
      expect(result.value).toMatchObject({ postId: 'p1', post: { saved: true, price: 1 } });
    }
  });

  it('answers not found when unsaving a post that was not saved', async () => {
    const service = new SavedPostsService(
      strictFake<SavedPostsRepository>({ remove: () => Promise.resolve(false) }),
      cursors,
      new MediaUrls('/media'),
    );
    await expect(service.unsavePost(actor, 'p1')).rejects.toThrow(SavedPostNotFoundError);
  });
});
