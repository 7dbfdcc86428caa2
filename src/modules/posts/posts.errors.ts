import { ForbiddenError, NotFoundError } from '@/common/errors/domain-error';

export class PostNotFoundError extends NotFoundError {
  constructor() {
    super('POST_NOT_FOUND', 'The post does not exist.');
  }
}

export class NotPostOwnerError extends ForbiddenError {
  constructor() {
    super(
      'NOT_POST_OWNER',
      'Only the author of the post, a manager of its account or an admin may change it.',
    );
  }
}

export class ApiKeyAccountMismatchError extends ForbiddenError {
  constructor() {
    super('ACCOUNT_MISMATCH', 'An API key publishes for its own account only.');
  }
}
