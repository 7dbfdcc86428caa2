import { NotFoundError } from '@/common/errors/domain-error';

export class SavedPostNotFoundError extends NotFoundError {
  constructor() {
    super('SAVED_POST_NOT_FOUND', 'You have not saved this post.');
  }
}
