import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC = 'isPublic';
/** Marks a public operation in the generated document, which turns it into `security: []`. */
export const PUBLIC_EXTENSION = 'x-public';

/** Opens a route to anonymous callers (a bearer token, when sent, is still read and checked). */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(PUBLIC_EXTENSION, true));
