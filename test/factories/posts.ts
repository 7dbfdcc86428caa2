import { randomBytes } from 'node:crypto';

import type { components } from '../../clients/typescript/src/schema';
import type { ApiClient } from '../helpers/api-client';

/** The bodies and answers of the contract, as the typed client sees them. */
export type PostCreate = components['schemas']['PostCreate'];
export type Post = components['schemas']['Post'];

/** A valid post body; `city` defaults to a unique one so a test can list only its own posts. */
export function newPostInput(overrides: Partial<PostCreate> = {}): PostCreate {
  return {
    title: 'Sunny flat with a view',
    price: 1200,
    images: ['https://cdn.example.com/p/1.jpg'],
    address: '12 Rua das Flores',
    city: `City ${randomBytes(4).toString('hex')}`,
    bedroom: 2,
    bathroom: 1,
    latitude: 38.72,
    longitude: -9.14,
    type: 'RENT',
    property: 'APARTMENT',
    ...overrides,
  };
}

/** Creates a post through the API and returns it. */
export async function createPost(
  api: ApiClient,
  token: string,
  overrides: Partial<PostCreate> = {},
): Promise<Post> {
  const response = await api.post('/v1/posts', newPostInput(overrides), { token });
  if (response.status !== 201) {
    throw new Error(`post creation failed: ${response.status} ${response.text}`);
  }
  return response.body;
}
