import { ConflictError, ForbiddenError, NotFoundError } from '@/common/errors/domain-error';

export class AccountNotFoundError extends NotFoundError {
  constructor() {
    super('ACCOUNT_NOT_FOUND', 'The account does not exist.');
  }
}

export class MemberNotFoundError extends NotFoundError {
  constructor() {
    super('MEMBER_NOT_FOUND', 'The user is not a member of the account.');
  }
}

export class ApiKeyNotFoundError extends NotFoundError {
  constructor() {
    super('API_KEY_NOT_FOUND', 'The API key does not exist.');
  }
}

export class AccountRoleRequiredError extends ForbiddenError {
  constructor(what: string) {
    super('ACCOUNT_ROLE_REQUIRED', `Your role in this account does not allow you to ${what}.`);
  }
}

export class AlreadyMemberError extends ConflictError {
  constructor() {
    super('ALREADY_MEMBER', 'The user is already a member of the account.');
  }
}

/** The last owner can neither leave nor be demoted: an account always has an owner. */
export class LastOwnerError extends ConflictError {
  constructor() {
    super('LAST_OWNER', 'The account would have no owner: make another member an owner first.');
  }
}
