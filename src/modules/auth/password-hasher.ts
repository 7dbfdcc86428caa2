import { randomBytes } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';

// OWASP's argon2id parameters: 19 MiB of memory, 2 iterations, 1 lane.
const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

@Injectable()
export class PasswordHasher {
  // Verified against when the account does not exist, so both answers take the same time.
  private readonly dummy = hash(randomBytes(32).toString('hex'), OPTIONS);

  hash(password: string): Promise<string> {
    return hash(password, OPTIONS);
  }

  /** Whether `password` matches `passwordHash`; with no hash, spends the same time and says no. */
  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    const matches = await verify(passwordHash ?? (await this.dummy), password).catch(() => false);
    return passwordHash !== undefined && matches;
  }
}
