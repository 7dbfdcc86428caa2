import { randomBytes } from 'node:crypto';

import type { components } from '../../clients/typescript/src/schema';
import type { ApiClient } from '../helpers/api-client';

export type RegisterRequest = components['schemas']['RegisterRequest'];

export interface RegisteredUser {
  id: string;
  email: string;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** A unique, valid registration body. */
export function newUserInput(overrides: Partial<RegisterRequest> = {}): RegisterRequest {
  const tag = randomBytes(5).toString('hex');
  return {
    email: `user-${tag}@example.com`,
    username: `user_${tag}`,
    password: `pw-${tag}-correct-horse`,
    name: `User ${tag}`,
    ...overrides,
  };
}

/** Registers a user through the API and returns its credentials and tokens. */
export async function registerUser(
  api: ApiClient,
  overrides: Partial<RegisterRequest> = {},
): Promise<RegisteredUser> {
  const input = newUserInput(overrides);
  const response = await api.post('/v1/auth/register', input);
  if (response.status !== 201) {
    throw new Error(`registration failed: ${response.status} ${response.text}`);
  }
  return {
    id: response.body.user.id,
    email: response.body.user.email,
    username: response.body.user.username,
    password: input.password,
    accessToken: response.body.accessToken,
    refreshToken: response.body.refreshToken,
  };
}
