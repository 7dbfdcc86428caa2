import { ConflictError, InvalidInputError, NotFoundError } from '@/common/errors/domain-error';

export class WebhookNotFoundError extends NotFoundError {
  constructor() {
    super('WEBHOOK_NOT_FOUND', 'The webhook does not exist.');
  }
}

export class WebhookDeliveryNotFoundError extends NotFoundError {
  constructor() {
    super('WEBHOOK_DELIVERY_NOT_FOUND', 'The delivery does not exist.');
  }
}

/** A target the service will not call: not https, or not at a public address. */
export class WebhookUrlRefusedError extends InvalidInputError {
  constructor(reason = 'it must be https and resolve to public addresses only') {
    super('WEBHOOK_URL_REFUSED', `The webhook URL is refused: ${reason}.`, [
      { field: 'url', message: reason },
    ]);
  }
}

export class WebhookDisabledError extends ConflictError {
  constructor() {
    super('WEBHOOK_DISABLED', 'The webhook is disabled: enable it (PATCH enabled: true) before retrying.');
  }
}
