import type { UserRole } from '../../common/auth/roles';
import {
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
} from '../../common/errors/domain-error';

export class InvalidCredentialsError extends UnauthenticatedError {
  constructor() {
    super('INVALID_CREDENTIALS', 'The email or password is wrong.');
  }
}

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

export class InvalidRefreshTokenError extends UnauthenticatedError {
  constructor() {
    super('INVALID_REFRESH_TOKEN', 'The refresh token is not valid: log in again.');
  }
}

/** A refresh token that was already exchanged: the session is revoked (RFC 9700 4.14.2). */
export class TokenReusedError extends UnauthenticatedError {
  constructor() {
    super('TOKEN_REUSED', 'This refresh token was already used: the session is revoked, log in again.');
  }
}

export class SessionNotFoundError extends NotFoundError {
  constructor() {
    super('SESSION_NOT_FOUND', 'The session does not exist.');
  }
}

export class WrongPasswordError extends ForbiddenError {
  constructor() {
    super('WRONG_PASSWORD', 'The current password is wrong.');
  }
}

export class TooManyLoginAttemptsError extends RateLimitedError {
  constructor(retryAfterSeconds: number) {
    super('TOO_MANY_LOGIN_ATTEMPTS', 'Too many failed logins: wait before trying again.', retryAfterSeconds);
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

/** A mailed link's token that is unknown, used, expired or meant for something else: all alike. */
export class InvalidTokenError extends InvalidInputError {
  constructor() {
    super('INVALID_TOKEN', 'This link is not valid: it was used, it expired, or it is not one we sent.');
  }
}

/** The account is suspended by an admin: no login until it is lifted (asked only once the password is right). */
export class AccountSuspendedError extends ForbiddenError {
  constructor() {
    super('ACCOUNT_SUSPENDED', 'This account is suspended.');
  }
}
