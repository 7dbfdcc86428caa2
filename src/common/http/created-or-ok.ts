import { CallHandler, ExecutionContext, Injectable, NestInterceptor, UseInterceptors } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { map, Observable } from 'rxjs';

/** What a create-or-return operation produced, and whether this call created it. */
export interface Upserted<T> {
  value: T;
  created: boolean;
}

@Injectable()
class CreatedOrOkInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler<Upserted<unknown>>): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map(({ value, created }) => {
        void reply.status(created ? 201 : 200);
        return value;
      }),
    );
  }
}

/** Answers 201 when the handler's `Upserted` result was created by this call, else 200, with its value. */
export const CreatedOrOk = (): MethodDecorator => UseInterceptors(CreatedOrOkInterceptor);
