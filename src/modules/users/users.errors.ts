import { ConflictError, NotFoundError } from '@/common/errors/domain-error';

export class UserNotFoundError extends NotFoundError {
  constructor() {
    super('USER_NOT_FOUND', 'The user does not exist.');
  }
}

export class EmailTakenError extends ConflictError {
  constructor() {
    super('EMAIL_TAKEN', 'An account with this email already exists.');
  }
}

export class UsernameTakenError extends ConflictError {
  constructor() {
    super('USERNAME_TAKEN', 'This username is taken.');
  }
}
