import { Injectable, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';

import { RequestValidationError } from '../errors/domain-error';

/** A path id: a malformed one is a 400 naming the parameter, before any lookup. */
@Injectable()
export class ParseIdPipe extends ParseUUIDPipe {
  constructor(name = 'id') {
    super({
      exceptionFactory: () =>
        new RequestValidationError([{ field: name, message: `${name} must be a UUID` }]),
    });
  }
}

/**
 * A path id parameter (`:id` by default), checked to be a UUID, and documented as one:
 * `@IdParam() id: string`.
 */
export const IdParam =
  (name = 'id'): ParameterDecorator =>
  (target, method, index) => {
    Param(name, new ParseIdPipe(name === 'id' ? undefined : name))(target, method, index);
    const descriptor = method === undefined ? undefined : Object.getOwnPropertyDescriptor(target, method);
    if (descriptor) {
      ApiParam({ name, type: String, format: 'uuid' })(target, method!, descriptor);
    }
  };
