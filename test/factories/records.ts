import type { PostSummaryRecord } from '@/modules/posts/post-summary.repository';

/** A post as repositories return it, for unit tests of services. */
export function postSummaryRecord(overrides: Partial<PostSummaryRecord> = {}): PostSummaryRecord {
  const createdAt = overrides.createdAt ?? new Date('2026-01-01T00:00:00Z');
  return {
    id: 'p1',
    title: 'A post',
    price: 1n,
    images: [],
    address: 'a',
    city: 'c',
    bedroom: 1,
    bathroom: 1,
    latitude: 0,
    longitude: 0,
    type: 'RENT',
    property: 'HOUSE',
    accountId: null,
    createdAt,
    updatedAt: createdAt,
    author: { id: 'author', username: 'a', name: null, avatar: null, createdAt },
    photos: [],
    ...overrides,
  };
}
