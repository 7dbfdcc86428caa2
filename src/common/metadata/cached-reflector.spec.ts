import { SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { CachedReflector } from './cached-reflector';

const Role = Reflector.createDecorator<string>();

@SetMetadata('scope', 'class')
class Controller {
  @SetMetadata('scope', 'handler')
  @Role('admin')
  guarded(this: void): void {}

  open(this: void): void {}
}

describe('CachedReflector', () => {
  const targets = (handler: keyof Controller) => [Controller.prototype[handler], Controller];

  it('answers as Nest’s Reflector does, for keys and for decorators', () => {
    const plain = new Reflector();
    const cached = new CachedReflector();

    for (const handler of ['guarded', 'open'] as const) {
      for (const ask of [
        (r: Reflector) => r.getAllAndOverride('scope', targets(handler)),
        (r: Reflector) => r.getAllAndMerge('scope', targets(handler)),
        (r: Reflector) => r.getAll('scope', targets(handler)),
        (r: Reflector) => r.get(Role, Controller.prototype[handler]),
        (r: Reflector) => r.get('missing', Controller),
      ]) {
        expect(ask(cached)).toEqual(ask(plain));
        expect(ask(cached)).toEqual(ask(plain));
      }
    }
    expect(cached.getAllAndOverride('scope', targets('open'))).toBe('class');
    expect(cached.get(Role, Controller.prototype.guarded)).toBe('admin');
  });

  it('reads each key of each target once, also when it is absent', () => {
    const cached = new CachedReflector();
    const read = jest.spyOn(Reflect, 'getMetadata');

    for (let i = 0; i < 5; i += 1) {
      cached.getAllAndOverride('scope', targets('guarded'));
      cached.getAllAndOverride('missing', targets('open'));
    }

    expect(read).toHaveBeenCalledTimes(3); // scope on guarded; missing on open, then on the class
    read.mockRestore();
  });
});
