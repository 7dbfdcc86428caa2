import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';

import { Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';

import { Semaphore } from '@/common/concurrency/semaphore';

// OWASP's argon2id parameters: 19 MiB of memory, 2 iterations, 1 lane.
const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * Hashes at once: one per core, and no more than libuv's four threads (which file and DNS work share).
 * Each holds 19 MiB while it runs; under a login storm the excess waits here, in arrival order, instead
 * of holding memory or the thread pool.
 */
export const HASH_CONCURRENCY = Math.min(4, availableParallelism());

@Injectable()
export class PasswordHasher {
  private readonly slots = new Semaphore(HASH_CONCURRENCY);
  // Verified against when the account does not exist, so both answers take the same time.
  private readonly dummy = hash(randomBytes(32).toString('hex'), OPTIONS);

  hash(password: string): Promise<string> {
    return this.slots.run(() => hash(password, OPTIONS));
  }

  /** Whether `password` matches `passwordHash`; with no hash, spends the same time and says no. */
  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    const against = passwordHash ?? (await this.dummy);
    const matches = await this.slots.run(() => verify(against, password)).catch(() => false);
    return passwordHash !== undefined && matches;
  }

  /** Hashes and verifications waiting for a slot. */
  get queued(): number {
    return this.slots.queued;
  }
}
