import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { AppConfig } from '../../config/config.module';

const SECRET_PREFIX = 'whsec_';
const SEALED_VERSION = 'v1';

/** A new signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks libraries read it. */
export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The Standard Webhooks headers of one attempt: one `v1,` signature per secret, space-separated. */
export function signedHeaders(
  messageId: string,
  timestamp: Date,
  body: string,
  secrets: string[],
): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': secrets
      .map((secret) => new Webhook(secret).sign(messageId, timestamp, body))
      .join(' '),
  };
}

export class WebhookSecretUnreadableError extends Error {
  constructor() {
    super(
      'The signing secret cannot be decrypted: WEBHOOK_SECRET_KEY changed since it was stored. Rotate it.',
    );
  }
}

/**
 * Signing secrets at rest: AES-256-GCM under a key derived (HKDF) from WEBHOOK_SECRET_KEY, each with a
 * random nonce. The service must sign with them, so they are encrypted, not hashed like API keys.
 */
@Injectable()
export class WebhookSecretBox {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    const material = config.get('WEBHOOK_SECRET_KEY', { infer: true }) ?? '';
    this.key = Buffer.from(hkdfSync('sha256', material, 'listings-api', 'webhook-signing-secrets', 32));
  }

  /** `v1.<nonce>.<ciphertext>.<tag>`, base64url parts. */
  seal(secret: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [SEALED_VERSION, nonce, sealed, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(stored: string): string {
    const [version, nonce, sealed, tag] = stored.split('.');
    if (version !== SEALED_VERSION || !nonce || !sealed || !tag) {
      throw new WebhookSecretUnreadableError();
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new WebhookSecretUnreadableError();
    }
  }
}
