import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  PipeTransform,
  SetMetadata,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import type { AuthenticatedRequest } from '../auth/auth-user';
import { IDEMPOTENT, IDEMPOTENT_EXTENSION } from './idempotency';
import { IdempotencyService } from './idempotency.service';

type Handler = (...args: unknown[]) => unknown;
type Exchange = { request: AuthenticatedRequest; reply: FastifyReply };
/** A request's handler, run under the request's `Idempotency-Key`. */
type RunIdempotently = (handle: () => unknown) => Promise<unknown>;

/** The request and its reply, as one parameter. */
const CurrentExchange = createParamDecorator((_data: unknown, context: ExecutionContext): Exchange => ({
  request: context.switchToHttp().getRequest<AuthenticatedRequest>(),
  reply: context.switchToHttp().getResponse<FastifyReply>(),
}));

/** Binds the exchange to IdempotencyService: a pipe, because pipes are what Nest resolves per route with DI. */
@Injectable()
export class IdempotencyPipe implements PipeTransform<Exchange, RunIdempotently> {
  constructor(private readonly idempotency: IdempotencyService) {}

  transform({ request, reply }: Exchange): RunIdempotently {
    return (handle) => this.idempotency.run(request, reply, handle);
  }
}

/**
 * Wraps a handler so that it runs under IdempotencyService: Nest fills one more parameter, after the
 * handler's own, with the request bound to the service; the wrapper takes it off and calls the
 * handler inside it. This runs where the handler does: after the guards and pipes, so the caller is
 * known and the body valid before a key is claimed (an interceptor runs before the pipes, and would
 * claim a key for a body about to be refused), and without the interceptor chain's per-request cost
 * (bench/RESULTS.md). The handler's metadata moves to the wrapper, so decorators above and below this
 * one describe the same route.
 */
const runsIdempotently: MethodDecorator = (target, propertyKey, descriptor) => {
  const handler = descriptor.value as unknown as Handler;
  const declared =
    (Reflect.getMetadata('design:paramtypes', target, propertyKey) as unknown[] | undefined) ?? [];
  const routeArgs =
    (Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, propertyKey) as
      Record<string, { index: number }> | undefined) ?? {};
  const index = Math.max(
    handler.length,
    declared.length,
    ...Object.values(routeArgs).map((arg) => arg.index + 1),
  );
  CurrentExchange(undefined, IdempotencyPipe)(target, propertyKey, index);

  const wrapper = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    const run = args[index] as RunIdempotently;
    return run(() => handler.apply(this, args.slice(0, index)));
  };
  for (const key of Reflect.getOwnMetadataKeys(handler)) {
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, handler), wrapper);
  }
  Object.defineProperty(wrapper, 'name', { value: handler.name });
  (descriptor as PropertyDescriptor).value = wrapper;
};

/**
 * A POST that takes `Idempotency-Key` (see IdempotencyService): its first response is kept for 24
 * hours and replayed to a retry. Every POST says either this or @NotIdempotent(): the app refuses to
 * start otherwise (IdempotencyModule).
 */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(runsIdempotently, SetMetadata(IDEMPOTENT, true), ApiExtension(IDEMPOTENT_EXTENSION, true));
