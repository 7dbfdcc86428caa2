import { Global, Module, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';

import { IDEMPOTENT, NOT_IDEMPOTENT } from './idempotency';
import { IdempotencyPurge } from './idempotency.purge';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotencyService } from './idempotency.service';

/**
 * `Idempotency-Key` on POSTs: handlers marked @Idempotent() run under IdempotencyService (reached from
 * their own module through a parameter pipe, hence global). Refuses to start when a POST says neither
 * @Idempotent() nor @NotIdempotent(), so no new write route loses safe retries by omission.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [IdempotencyRepository, IdempotencyService, IdempotencyPurge],
  exports: [IdempotencyService],
})
export class IdempotencyModule {
  constructor(discovery: DiscoveryService, scanner: MetadataScanner, reflector: Reflector) {
    const undecided: string[] = [];
    for (const { metatype } of discovery.getControllers()) {
      if (!metatype) {
        continue;
      }
      const prototype = metatype.prototype as Record<string, (...args: unknown[]) => unknown>;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        const targets = [handler, metatype];
        if (
          Reflect.getMetadata(METHOD_METADATA, handler) === RequestMethod.POST &&
          !reflector.getAllAndOverride<boolean>(IDEMPOTENT, targets) &&
          !reflector.getAllAndOverride<boolean>(NOT_IDEMPOTENT, targets)
        ) {
          undecided.push(`${metatype.name}.${name}`);
        }
      }
    }
    if (undecided.length > 0) {
      throw new Error(
        `POST handlers must be marked @Idempotent() or @NotIdempotent(): ${undecided.join(', ')}`,
      );
    }
  }
}
