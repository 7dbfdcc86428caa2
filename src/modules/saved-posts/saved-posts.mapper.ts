import type { MediaUrls } from '../photos/storage/media-storage';
import { toPostSummaryDto } from '../posts/posts.mapper';
import type { SavedPostDto } from './dto/saved-post.dto';
import type { SavedPostRecord } from './saved-posts.repository';

/** A save of the caller's: the post is one they saved, so `saved` is true. */
export function toSavedPostDto(record: SavedPostRecord, media: MediaUrls): SavedPostDto {
  return {
    postId: record.postId,
    savedAt: record.createdAt,
    post: toPostSummaryDto({ ...record.post, saved: true }, media),
  };
}
