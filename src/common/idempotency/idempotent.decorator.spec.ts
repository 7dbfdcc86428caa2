import { HttpCode, SetMetadata } from '@nestjs/common';
import { HTTP_CODE_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';

import { IDEMPOTENT } from './idempotency';
import { IdempotencyPipe, Idempotent } from './idempotent.decorator';

class Handlers {
  readonly prefix = 'seen';

  @SetMetadata('above', 'a')
  @Idempotent()
  @HttpCode(202)
  handle(text: string, count: number): string[] {
    return [this.prefix, text, String(count), String(arguments.length)];
  }
}

describe('@Idempotent()', () => {
  // The route handler as Nest reads it: off the prototype, called with the instance.
  const handle = Object.getOwnPropertyDescriptor(Handlers.prototype, 'handle')!.value as (
    ...args: unknown[]
  ) => Promise<unknown>;

  it('keeps the metadata of the decorators above and below it on the route handler', () => {
    expect(Reflect.getMetadata('above', handle)).toBe('a');
    expect(Reflect.getMetadata(HTTP_CODE_METADATA, handle)).toBe(202);
    expect(Reflect.getMetadata(IDEMPOTENT, handle)).toBe(true);
    expect(handle.name).toBe('handle');
  });

  it("asks Nest for one more parameter, after the handler's own, through IdempotencyPipe", () => {
    const args = Object.values(
      Reflect.getMetadata(ROUTE_ARGS_METADATA, Handlers, 'handle') as Record<
        string,
        { index: number; pipes: unknown[] }
      >,
    );
    expect(args).toEqual([expect.objectContaining({ index: 2, pipes: [IdempotencyPipe] })]);
  });

  it('runs the handler inside that parameter, with its own arguments and instance', async () => {
    const runs: string[] = [];
    const run = async (inner: () => unknown): Promise<unknown> => {
      runs.push('before');
      const value = await inner();
      runs.push('after');
      return value;
    };
    await expect(handle.call(new Handlers(), 'text', 3, run)).resolves.toEqual(['seen', 'text', '3', '2']);
    expect(runs).toEqual(['before', 'after']);
  });
});
