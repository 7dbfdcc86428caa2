import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { ApiProblems } from '../openapi/problem-responses.decorator';

export const API_KEY_SCOPES = 'apiKeyScopes';
export const REQUIRED_SCOPE_EXTENSION = 'x-required-scope';

export const ApiKeyScope = { PostsRead: 'posts:read', PostsWrite: 'posts:write' } as const;
export type ApiKeyScope = (typeof ApiKeyScope)[keyof typeof ApiKeyScope];
export const API_KEY_SCOPE_VALUES = Object.values(ApiKeyScope);

/**
 * Lets an API key (`X-API-Key`) call the route when it has `scope`; documented as `x-required-scope`
 * and as the `apiKey` security scheme. Routes without it accept people's bearer tokens only.
 */
export const AcceptsApiKey = (scope: ApiKeyScope): MethodDecorator =>
  applyDecorators(
    SetMetadata(API_KEY_SCOPES, [scope]),
    ApiExtension(REQUIRED_SCOPE_EXTENSION, scope),
    ApiProblems(403),
  );
