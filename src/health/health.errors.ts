import { UnavailableError } from '../common/errors/domain-error';

export class NotReadyError extends UnavailableError {
  constructor(reason: string) {
    super('NOT_READY', `Not ready: ${reason}.`);
  }
}
