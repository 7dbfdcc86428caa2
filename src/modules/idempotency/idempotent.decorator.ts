import { applyDecorators, SetMetadata } from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { ApiExtension } from '@nestjs/swagger';
import { IDEMPOTENT, IDEMPOTENT_EXTENSION } from './idempotency';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/** Puts an interceptor first on a handler, whatever order the handler's other decorators run in. */
const outermost =
  (interceptor: unknown): MethodDecorator =>
  (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const others = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[] | undefined) ?? [];
    Reflect.defineMetadata(INTERCEPTORS_METADATA, [interceptor, ...others], handler);
  };

/**
 * A POST that takes `Idempotency-Key` (see IdempotencyInterceptor): its first response is kept for 24
 * hours and replayed to a retry. Outermost of the handler's interceptors, so it stores the status and
 * body the others settled on. Every POST says either this or @NotIdempotent(): the app refuses to
 * start otherwise (IdempotencyModule). Per handler, not global, so reads carry no interceptor chain.
 */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(
    SetMetadata(IDEMPOTENT, true),
    ApiExtension(IDEMPOTENT_EXTENSION, true),
    outermost(IdempotencyInterceptor),
  );
