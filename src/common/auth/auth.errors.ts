import { ForbiddenError, InvalidInputError, UnauthenticatedError } from '../errors/domain-error';
import type { UserRole } from './roles';

/** Why a bearer token was refused; `missing` when there was none. */
export type TokenFailure = 'missing' | 'invalid' | 'expired';

const TOKEN_MESSAGES: Record<TokenFailure, string> = {
  missing: 'A valid access token is required.',
  invalid: 'The access token is not valid.',
  expired: 'The access token has expired: refresh it.',
};

/**
 * No usable bearer token. The RFC 6750 challenge says `invalid_token` (with what was wrong) when one
 * was sent, so a client knows to refresh rather than to sign in.
 */
export class InvalidAccessTokenError extends UnauthenticatedError {
  constructor(readonly failure: TokenFailure = 'missing') {
    super('UNAUTHENTICATED', TOKEN_MESSAGES[failure]);
  }

  override get challenge(): string {
    return this.failure === 'missing'
      ? 'Bearer'
      : `Bearer error="invalid_token", error_description="${this.failure === 'expired' ? 'The access token expired' : 'The access token is invalid'}"`;
  }
}

/** The caller's platform role is not one the operation needs (the guard and the services say it alike). */
export class RoleRequiredError extends ForbiddenError {
  constructor(roles: UserRole[]) {
    super('ROLE_REQUIRED', `This needs the role ${roles.join(' or ')}.`);
  }
}

export class ApiKeyInQueryError extends InvalidInputError {
  constructor() {
    super('API_KEY_IN_QUERY', 'API keys are accepted only in the X-API-Key header, never in the URL.');
  }
}

export class ApiKeyNotAcceptedError extends ForbiddenError {
  constructor() {
    super('API_KEY_NOT_ACCEPTED', 'This operation is for people: use a bearer token, not an API key.');
  }
}

export class InsufficientScopeError extends ForbiddenError {
  constructor(scope: string) {
    super('INSUFFICIENT_SCOPE', `The API key lacks the scope ${scope}.`);
  }
}

export class InvalidApiKeyError extends UnauthenticatedError {
  constructor() {
    super('INVALID_API_KEY', 'The API key is not valid or was revoked.');
  }
}
