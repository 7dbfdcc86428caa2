import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/auth-user';
import type { Upserted } from '../../common/http/created-or-ok';
import { CursorCodec } from '../../common/pagination/cursor-codec';
import { PageDto, toPage } from '../../common/pagination/page.dto';
import type { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PostNotFoundError } from '../posts/posts.errors';
import { toPostSummaryDto } from '../posts/posts.mapper';
import type { SavedPostDto } from './dto/saved-post.dto';
import { SavedPostNotFoundError } from './saved-posts.errors';
import { SavedPostRecord, SavedPostsRepository } from './saved-posts.repository';

const SAVES_CURSOR = 'saved-posts:newest';

@Injectable()
export class SavedPostsService {
  constructor(
    private readonly saves: SavedPostsRepository,
    private readonly cursors: CursorCodec,
  ) {}

  /** Saves a post for the caller; saving twice is one save. Says whether this call created it. */
  async savePost(actor: AuthUser, postId: string): Promise<Upserted<SavedPostDto>> {
    const outcome = await this.saves.save(actor.id, postId);
    const record = outcome === 'no_post' ? null : await this.saves.find(actor.id, postId);
    if (!record) {
      throw new PostNotFoundError();
    }
    return { value: toSavedPostDto(record), created: outcome === 'saved' };
  }

  async unsavePost(actor: AuthUser, postId: string): Promise<void> {
    if (!(await this.saves.remove(actor.id, postId))) {
      throw new SavedPostNotFoundError();
    }
  }

  /** The caller's own saves only. */
  async listSavedPosts(actor: AuthUser, page: PageQueryDto): Promise<PageDto<SavedPostDto>> {
    const after = page.cursor ? this.cursors.decode(SAVES_CURSOR, page.cursor, 2) : undefined;
    const rows = await this.saves.list(
      actor.id,
      page.limit,
      after ? { savedAt: new Date(after[0]), id: String(after[1]) } : undefined,
    );
    return toPage(
      rows,
      page.limit,
      (row) => this.cursors.encode(SAVES_CURSOR, [row.createdAt.toISOString(), row.id]),
      toSavedPostDto,
    );
  }
}

function toSavedPostDto(record: SavedPostRecord): SavedPostDto {
  return {
    postId: record.postId,
    savedAt: record.createdAt,
    post: toPostSummaryDto({ ...record.post, saved: true }),
  };
}
