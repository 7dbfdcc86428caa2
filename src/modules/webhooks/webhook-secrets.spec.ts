import { Webhook } from 'standardwebhooks';

import type { AppConfig } from '@/config/config.module';

import {
  newSigningSecret,
  signedHeaders,
  WebhookSecretBox,
  WebhookSecretUnreadableError,
} from './webhook-secrets';

const boxWith = (key: string): WebhookSecretBox =>
  new WebhookSecretBox({ get: () => key } as unknown as AppConfig);

describe(WebhookSecretBox.name, () => {
  const box = boxWith('unit-test-webhook-secret-key-0123456789');

  it('opens what it sealed, and seals the same secret differently each time', () => {
    const secret = newSigningSecret();
    const sealed = box.seal(secret);
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.open(sealed)).toBe(secret);
    expect(box.seal(secret)).not.toBe(sealed);
  });

  it('refuses a sealed secret that was altered, or sealed under another key', () => {
    const sealed = box.seal(newSigningSecret());
    const [version, nonce, body, tag] = sealed.split('.');
    const flipped = `${body.startsWith('A') ? 'B' : 'A'}${body.slice(1)}`;
    expect(() => box.open([version, nonce, flipped, tag].join('.'))).toThrow(WebhookSecretUnreadableError);
    expect(() => boxWith('another-webhook-secret-key-0123456789ab').open(sealed)).toThrow(
      WebhookSecretUnreadableError,
    );
    expect(() => box.open('plain text')).toThrow(WebhookSecretUnreadableError);
  });

  it('tells a secret it cannot open by undefined, without throwing', () => {
    const secret = newSigningSecret();
    expect(box.tryOpen(box.seal(secret))).toBe(secret);
    expect(boxWith('another-webhook-secret-key-0123456789ab').tryOpen(box.seal(secret))).toBeUndefined();
  });
});

describe(signedHeaders.name, () => {
  it('signs as Standard Webhooks verify, with one signature per secret', () => {
    const [current, previous] = [newSigningSecret(), newSigningSecret()];
    expect(current).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = JSON.stringify({ type: 'webhook.test', timestamp: new Date().toISOString(), data: {} });
    const headers = signedHeaders('msg_1', new Date(), body, [current, previous]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(current).verify(`${body} `, headers)).toThrow();
  });
});
