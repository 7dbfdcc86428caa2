import { ConflictError, NotFoundError } from '@/common/errors/domain-error';

export class ReportNotFoundError extends NotFoundError {
  constructor() {
    super('REPORT_NOT_FOUND', 'The report does not exist.');
  }
}

export class ReportAlreadyResolvedError extends ConflictError {
  constructor() {
    super('REPORT_ALREADY_RESOLVED', 'The report is already resolved: a resolution is final.');
  }
}
