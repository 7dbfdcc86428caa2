import { Injectable, Param, ParseUUIDPipe } from '@nestjs/common';
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

/** A path id parameter (`:id` by default), checked to be a UUID: `@IdParam() id: string`. */
export const IdParam = (name = 'id'): ParameterDecorator =>
  Param(name, new ParseIdPipe(name === 'id' ? undefined : name));
