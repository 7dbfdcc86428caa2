import { Injectable } from '@nestjs/common';

import type { AuthUser } from '@/common/auth/auth-user';
import type { Upserted } from '@/common/http/created-or-ok';
import { CursorCodec, Keyset } from '@/common/pagination/cursor-codec';
import type { PageDto } from '@/common/pagination/page.dto';
import type { PageQueryDto } from '@/common/pagination/page-query.dto';

import { MediaUrls } from '../photos/storage/media-storage';
import { PostNotFoundError } from '../posts/posts.errors';
import type { SavedPostDto } from './dto/saved-post.dto';
import { SavedPostNotFoundError } from './saved-posts.errors';
import { toSavedPostDto } from './saved-posts.mapper';
import { SavedPostRecord, SavedPostsRepository } from './saved-posts.repository';

const SAVES = Keyset.byTime<SavedPostRecord>('saved-posts:newest', (save) => ({
  key: save.createdAt,
  id: save.id,
}));

@Injectable()
export class SavedPostsService {
  constructor(
    private readonly saves: SavedPostsRepository,
    private readonly cursors: CursorCodec,
    private readonly media: MediaUrls,
  ) {}

  /** Saves a post for the caller; saving twice is one save. Says whether this call created it. */
  async savePost(actor: AuthUser, postId: string): Promise<Upserted<SavedPostDto>> {
    const created = await this.saves.save(actor.id, postId);
    // Null when there is no such post for the caller, or it went (and the save with it) in between.
    const record = await this.saves.find(actor.id, postId);
    if (!record) {
      throw new PostNotFoundError();
    }
    return { value: toSavedPostDto(record, this.media), created };
  }

  async unsavePost(actor: AuthUser, postId: string): Promise<void> {
    if (!(await this.saves.remove(actor.id, postId))) {
      throw new SavedPostNotFoundError();
    }
  }

  /** The caller's own saves only. */
  async listSavedPosts(actor: AuthUser, page: PageQueryDto): Promise<PageDto<SavedPostDto>> {
    return this.cursors.page(
      SAVES,
      page,
      (after) => this.saves.list(actor.id, page.limit, after),
      (record) => toSavedPostDto(record, this.media),
    );
  }
}
