import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const SEALED_VERSION = 'v1';

/** What was sealed cannot be opened: altered, not sealed at all, or sealed under another key or purpose. */
export class SealedBoxUnreadableError extends Error {
  constructor(purpose: string) {
    super(`A sealed ${purpose} value cannot be opened: altered, or sealed under another key.`);
  }
}

/**
 * Secrets the service must read back (so they cannot be hashed), encrypted at rest: AES-256-GCM under a
 * key derived (HKDF-SHA256) from the configured key material and a purpose, so that each use has a key
 * of its own, with a random nonce per value. Sealed values read `v1.<nonce>.<ciphertext>.<tag>`, in
 * base64url.
 */
export class SealedBox {
  private readonly key: Buffer;

  constructor(
    material: string,
    private readonly purpose: string,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', material, 'listings-api', purpose, 32));
  }

  seal(plain: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [SEALED_VERSION, nonce, sealed, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The plain text, or SealedBoxUnreadableError. */
  open(stored: string): string {
    const [version, nonce, sealed, tag] = stored.split('.');
    if (version !== SEALED_VERSION || !nonce || !sealed || !tag) {
      throw new SealedBoxUnreadableError(this.purpose);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SealedBoxUnreadableError(this.purpose);
    }
  }
}
