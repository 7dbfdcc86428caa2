/**
 * How stored files are named: `posts/<postId>/<photoId>/display.<ext>` and `.../thumb.webp`. A photo's
 * files share a folder, a post's photos share one too, so deleting either is one prefix.
 */
export const POSTS_PREFIX = 'posts/';

export function postFolder(postId: string): string {
  return `${POSTS_PREFIX}${postId}/`;
}

export function photoFolder(postId: string, photoId: string): string {
  return `${postFolder(postId)}${photoId}/`;
}

/** The photo a stored key belongs to, or null for a key this scheme did not make. */
export function photoOfKey(key: string): { postId: string; photoId: string; folder: string } | null {
  const match = /^posts\/([0-9a-f-]{36})\/([0-9a-f-]{36})\/[^/]+$/.exec(key);
  return match ? { postId: match[1], photoId: match[2], folder: photoFolder(match[1], match[2]) } : null;
}
