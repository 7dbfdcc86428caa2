import { Injectable, Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

/**
 * Nest's Reflector, remembering each answer. Route metadata is written by decorators when classes are
 * defined and never changes after, yet the global guards ask for it on every request: about ten lookups
 * per request, each walking a prototype chain in reflect-metadata (bench/RESULTS.md, bypass table).
 * Every lookup goes through `get` (also `getAllAndOverride`, `getAll`, `getAllAndMerge`), so the
 * answers are exactly the Reflector's.
 */
@Injectable()
export class CachedReflector extends Reflector {
  private readonly known = new WeakMap<object, Map<unknown, unknown>>();

  // One signature for Reflector's overloads: a metadata key or a decorator made by createDecorator.
  override get(metadataKeyOrDecorator: unknown, target: object): never {
    let answers = this.known.get(target);
    if (!answers) {
      answers = new Map();
      this.known.set(target, answers);
    }
    if (!answers.has(metadataKeyOrDecorator)) {
      answers.set(metadataKeyOrDecorator, super.get(metadataKeyOrDecorator, target as Type));
    }
    return answers.get(metadataKeyOrDecorator) as never;
  }
}
