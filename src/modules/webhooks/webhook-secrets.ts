import { randomBytes } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';

import { SealedBox, SealedBoxUnreadableError } from '@/common/crypto/sealed-box';
import { AppConfig } from '@/config/config.module';

const SECRET_PREFIX = 'whsec_';

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
 * Signing secrets at rest, sealed under WEBHOOK_SECRET_KEY (src/common/crypto/sealed-box.ts). The
 * service must sign with them, so they are encrypted, not hashed like API keys.
 */
@Injectable()
export class WebhookSecretBox {
  private readonly box: SealedBox;

  constructor(config: AppConfig) {
    this.box = new SealedBox(
      config.get('WEBHOOK_SECRET_KEY', { infer: true }) ?? '',
      'webhook-signing-secrets',
    );
  }

  seal(secret: string): string {
    return this.box.seal(secret);
  }

  open(stored: string): string {
    try {
      return this.box.open(stored);
    } catch (error) {
      throw error instanceof SealedBoxUnreadableError ? new WebhookSecretUnreadableError() : error;
    }
  }

  /** The secret, or undefined when it was sealed under another key (or altered). */
  tryOpen(stored: string): string | undefined {
    try {
      return this.open(stored);
    } catch (error) {
      if (error instanceof WebhookSecretUnreadableError) {
        return undefined;
      }
      throw error;
    }
  }
}
