import { ConflictError, NotFoundError, RequestValidationError } from '@/common/errors/domain-error';

/** Also the answer to anyone who is not a participant: a chat's existence does not leak. */
export class ChatNotFoundError extends NotFoundError {
  constructor() {
    super('CHAT_NOT_FOUND', 'The chat does not exist.');
  }
}

export class ChatNotLeavableError extends ConflictError {
  constructor() {
    super('CHAT_NOT_LEAVABLE', 'A two-person chat cannot be left; only group chats can.');
  }
}

export class NoOtherParticipantError extends RequestValidationError {
  constructor() {
    super([{ field: 'participantIds', message: 'participantIds must name at least one other user' }]);
  }
}
