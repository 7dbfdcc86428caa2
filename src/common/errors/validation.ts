import type { ValidationError } from 'class-validator';
import { FieldError, RequestValidationError } from './domain-error';

/** Flattens class-validator's tree into one entry per bad field, named by its path (`detail.size`). */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      message: rule === 'whitelistValidation' ? `${field} is not allowed` : message,
    }));
    return own.concat(fieldErrors(error.children ?? [], field));
  });
}

export function validationException(errors: ValidationError[]): RequestValidationError {
  return new RequestValidationError(fieldErrors(errors));
}
