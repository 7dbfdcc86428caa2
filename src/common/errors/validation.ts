import {
  applyDecorators,
  ArgumentMetadata,
  HttpException,
  ValidationPipe,
  ValidationPipeOptions,
} from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import type { ValidationError } from 'class-validator';
import { IsInt, IsObject, ValidateIf, ValidateNested } from 'class-validator';

import { DomainError, FieldError, RequestValidationError } from './domain-error';

/**
 * Rules that say what a value is (its type or kind) before rules that say how it must be (its length,
 * its bounds): for a field that breaks several, the first of these is the message that helps.
 */
const KIND_RULES = /^(is(?!Length|NotEmpty)|nestedValidation|whitelistValidation)/;

/** The one message of a field: `is required` when absent, else the most telling rule it breaks. */
function messageOf(error: ValidationError, field: string): string | undefined {
  const constraints = Object.entries(error.constraints ?? {});
  if (constraints.length === 0) {
    return undefined;
  }
  if (constraints.some(([rule]) => rule === 'whitelistValidation')) {
    return `${field} is not allowed`;
  }
  if (error.value === undefined) {
    return `${field} is required`;
  }
  const [, message] = constraints.find(([rule]) => KIND_RULES.test(rule)) ?? constraints[0];
  return message;
}

/**
 * Flattens class-validator's tree into one entry per bad field, named by its path (`detail.size`),
 * with one message each.
 */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const message = messageOf(error, field);
    const own = message === undefined ? [] : [{ field, message }];
    return own.concat(fieldErrors(error.children ?? [], field));
  });
}

export function validationException(errors: ValidationError[]): RequestValidationError {
  return new RequestValidationError(fieldErrors(errors));
}

/**
 * Nest's ValidationPipe, except that a validator or transformer that throws on what it was given (a
 * library's bug on hostile input) is a 400 naming the input, never a 500.
 */
export class SafeValidationPipe extends ValidationPipe {
  constructor(options: ValidationPipeOptions) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Nest validates a missing or null body as `{}`, which would let `null` through every body whose
    // fields are all optional; the document says a body is a JSON object.
    if (metadata.type === 'body' && (value === null || value === undefined) && this.toValidate(metadata)) {
      throw new RequestValidationError([{ field: 'body', message: 'body must be a JSON object' }]);
    }
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof DomainError || error instanceof HttpException) {
        throw error;
      }
      const field = metadata.data ?? metadata.type;
      throw new RequestValidationError([{ field, message: `${field} is not valid` }]);
    }
  }
}

/**
 * A nested object of a request body: an object (an array, a string or a number there is a 400 naming
 * the field), validated as `type`. Use it for every nested DTO.
 */
export function NestedObject(type: () => new () => object): PropertyDecorator {
  return applyDecorators(
    IsObject({ message: ({ property }) => `${property} must be an object` }),
    ValidateNested(),
    Type(type),
  );
}

/**
 * A field that may be left out but is not nullable: unlike `IsOptional()`, which skips `null` too, a
 * `null` here is validated, and refused, like any other wrong value.
 */
export const Omittable = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

const DECIMAL_INTEGER = /^-?\d{1,16}$/;

/**
 * An integer query parameter: only a decimal integer (`12`, `-3`) becomes a number. Anything else (an
 * empty value, `1e1`, `0x10`, ` 5`, `1.5`) stays as sent and is refused as not an integer, where
 * `Number()` would have made `0`, `10` or `16` of it.
 */
export const QueryInteger = (): PropertyDecorator =>
  applyDecorators(
    Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
      const sent = obj[key];
      return typeof sent === 'string' && DECIMAL_INTEGER.test(sent) ? Number(sent) : sent;
    }),
    IsInt(),
  );
