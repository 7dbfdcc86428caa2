import {
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
} from '@/common/errors/domain-error';

export class InvalidCredentialsError extends UnauthenticatedError {
  constructor() {
    super('INVALID_CREDENTIALS', 'The email or password is wrong.');
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
