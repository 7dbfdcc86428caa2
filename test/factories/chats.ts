import type { ApiClient } from '../helpers/api-client';
import type { RegisteredUser } from './users';

/** Creates a chat of `owner` with `others` through the API (201, or 200 for an existing pair). */
export async function createChat(
  api: ApiClient,
  owner: RegisteredUser,
  others: RegisteredUser[],
): Promise<{ id: string; [key: string]: unknown }> {
  const response = await api.post(
    '/v1/chats',
    { participantIds: others.map((user) => user.id) },
    { token: owner.accessToken },
  );
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`chat creation failed: ${response.status} ${response.text}`);
  }
  return response.body;
}

/** Sends a message through the API and returns it. */
export async function sendMessage(
  api: ApiClient,
  chatId: string,
  sender: RegisteredUser,
  text: string,
): Promise<{ id: string; createdAt: string; text: string; senderId: string }> {
  const response = await api.post(`/v1/chats/${chatId}/messages`, { text }, { token: sender.accessToken });
  if (response.status !== 201) {
    throw new Error(`sending failed: ${response.status} ${response.text}`);
  }
  return response.body;
}
