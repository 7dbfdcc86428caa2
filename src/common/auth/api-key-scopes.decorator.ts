import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

import type { ApiKeyScope } from './api-key-scope';

export const API_KEY_SCOPES = 'apiKeyScopes';
export const REQUIRED_SCOPE_EXTENSION = 'x-required-scope';

/**
 * Lets an API key (`X-API-Key`) call the route when it has `scope`; documented as `x-required-scope`
 * and as the `apiKey` security scheme. Routes without it accept people's bearer tokens only.
 */
export const AcceptsApiKey = (scope: ApiKeyScope): MethodDecorator =>
  applyDecorators(SetMetadata(API_KEY_SCOPES, [scope]), ApiExtension(REQUIRED_SCOPE_EXTENSION, scope));
