import type { Fixtures } from './database';

export interface BenchRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Scenario {
  key: string;
  title: string;
  /** Sent in turn: request n of a run is `requests[n % length]`. */
  requests: BenchRequest[];
  /** The status every response must have. */
  status: number;
  /** Response fields that legitimately differ between the two servers (see compare.ts). */
  ignore: string[];
  /** Reported on its own, not with the API scenarios (login is bound by argon2 by design). */
  own?: boolean;
}

export const SCENARIO_KEYS = ['list', 'post', 'messages', 'send', 'saved', 'login'] as const;
export type ScenarioKey = (typeof SCENARIO_KEYS)[number];

const PASSWORD = 'password123';
const JSON_BODY = { 'content-type': 'application/json' };

/** An access token of a seeded user, from the project's login. */
export async function login(baseUrl: string, email: string): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: JSON_BODY,
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (response.status !== 200) {
    throw new Error(`Login of ${email} answered ${response.status}: ${await response.text()}`);
  }
  return ((await response.json()) as { accessToken: string }).accessToken;
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** The scenarios, with tokens from the project's login (both servers accept them: same secret, same database). */
export async function buildScenarios(
  fixtures: Fixtures,
  projectUrl: string,
  keys: readonly ScenarioKey[],
): Promise<Scenario[]> {
  const all: Record<ScenarioKey, () => Promise<Scenario>> = {
    list: () =>
      Promise.resolve({
        key: 'list',
        title: `1. GET /v1/posts?city=${fixtures.city}&limit=20`,
        requests: [{ method: 'GET', path: `/v1/posts?city=${encodeURIComponent(fixtures.city)}&limit=20` }],
        status: 200,
        ignore: [],
      }),
    post: () =>
      Promise.resolve({
        key: 'post',
        title: `2. GET /v1/posts/{id} (${fixtures.postIds.length} posts in turn)`,
        requests: fixtures.postIds.map((id) => ({ method: 'GET', path: `/v1/posts/${id}` })),
        status: 200,
        ignore: [],
      }),
    messages: async () => ({
      key: 'messages',
      title: `3. GET /v1/chats/{id}/messages?limit=50 (a chat of ${fixtures.readChat.messages} messages)`,
      requests: [
        {
          method: 'GET',
          path: `/v1/chats/${fixtures.readChat.id}/messages?limit=50`,
          headers: bearer(await login(projectUrl, fixtures.readChat.email)),
        },
      ],
      status: 200,
      ignore: [],
    }),
    send: async () => ({
      key: 'send',
      title: `4. POST /v1/chats/{id}/messages (${fixtures.writeChats.length} chats and senders in turn)`,
      requests: await Promise.all(
        fixtures.writeChats.map(async (chat) => ({
          method: 'POST' as const,
          path: `/v1/chats/${chat.id}/messages`,
          headers: { ...JSON_BODY, ...bearer(await login(projectUrl, chat.email)) },
          body: JSON.stringify({ text: 'Is it still available? Could I visit on Saturday?' }),
        })),
      ),
      status: 201,
      ignore: ['id', 'createdAt'],
    }),
    saved: async () => ({
      key: 'saved',
      title: `5. GET /v1/saved-posts (a user with ${fixtures.saver.saves} saves)`,
      requests: [
        {
          method: 'GET',
          path: '/v1/saved-posts',
          headers: bearer(await login(projectUrl, fixtures.saver.email)),
        },
      ],
      status: 200,
      ignore: [],
    }),
    login: () =>
      Promise.resolve({
        key: 'login',
        title: '6. POST /v1/auth/login (argon2id)',
        requests: [
          {
            method: 'POST',
            path: '/v1/auth/login',
            headers: JSON_BODY,
            body: JSON.stringify({ email: fixtures.loginEmail, password: PASSWORD }),
          },
        ],
        status: 200,
        ignore: ['accessToken', 'refreshToken'],
        own: true,
      }),
  };
  const built: Scenario[] = [];
  for (const key of keys) {
    built.push(await all[key]());
  }
  return built;
}
