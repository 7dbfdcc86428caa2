import { NotFoundError } from '@/common/errors/domain-error';

export class ProfileNotFoundError extends NotFoundError {
  constructor() {
    super('PROFILE_NOT_FOUND', 'The user has no profile.');
  }
}
