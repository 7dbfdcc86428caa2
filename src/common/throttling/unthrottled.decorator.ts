import { applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';

/** Marks operations the document builder lists without rate-limit headers. */
export const UNTHROTTLED_EXTENSION = 'x-unthrottled';

/** Routes outside the rate limits (health checks, metrics), documented without their headers. */
export const Unthrottled = (): ClassDecorator & MethodDecorator =>
  applyDecorators(SkipThrottle(), ApiExtension(UNTHROTTLED_EXTENSION, true));
