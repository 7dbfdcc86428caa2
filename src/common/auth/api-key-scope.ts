/** What an API key may do; a route names the scope it needs with `@AcceptsApiKey(scope)`. */
export const ApiKeyScope = { PostsRead: 'posts:read', PostsWrite: 'posts:write' } as const;
export type ApiKeyScope = (typeof ApiKeyScope)[keyof typeof ApiKeyScope];
export const API_KEY_SCOPE_VALUES = Object.values(ApiKeyScope);
