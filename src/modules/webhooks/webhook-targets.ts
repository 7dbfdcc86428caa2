import { lookup } from 'node:dns/promises';
import type { Agent } from 'node:http';

import { Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
// An ES module: Node 20.19 and later `require` it (and load it for jest: test/esm).
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

import { AppConfig } from '@/config/config.module';

import { WebhookUrlRefusedError } from './webhooks.errors';

/** What `ipaddr.js` (the library the agent checks with) calls a public address. */
function isPublicAddress(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.process(address).range() === 'unicast';
}

/**
 * Where webhooks may point. https at public addresses only, checked when a URL is registered and
 * again on every attempt: the HTTP agents refuse a private, loopback, link-local or metadata address
 * after DNS resolution (so a name that later resolves elsewhere is refused too). WEBHOOK_ALLOW_INSECURE
 * admits http and private addresses, for development and tests.
 */
@Injectable()
export class WebhookTargets {
  readonly insecure: boolean;
  private readonly agents: { http: Agent; https: Agent };

  constructor(config: AppConfig) {
    this.insecure = config.get('WEBHOOK_ALLOW_INSECURE', { infer: true });
    // No keep-alive: every attempt opens its own connection, so every attempt is checked.
    const options = { keepAlive: false, allowPrivateIPAddress: this.insecure, allowMetaIPAddress: false };
    this.agents = {
      http: new RequestFilteringHttpAgent(options),
      https: new RequestFilteringHttpsAgent(options),
    };
  }

  /** The URL, parsed, when its scheme and form are allowed; WebhookUrlRefusedError otherwise. */
  parse(url: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new WebhookUrlRefusedError('it is not an absolute URL');
    }
    if (parsed.protocol !== 'https:' && !(this.insecure && parsed.protocol === 'http:')) {
      throw new WebhookUrlRefusedError(this.insecure ? 'it must be http or https' : 'it must be https');
    }
    if (parsed.username || parsed.password) {
      throw new WebhookUrlRefusedError('it must not carry credentials');
    }
    return parsed;
  }

  /** At registration: the URL's form, and every address its host resolves to now. */
  async assertAllowed(url: string): Promise<void> {
    const parsed = this.parse(url);
    if (this.insecure) {
      return;
    }
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: { address: string }[];
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      throw new WebhookUrlRefusedError(`its host ${host} does not resolve`);
    }
    const refused = addresses.find(({ address }) => !isPublicAddress(address));
    if (refused || addresses.length === 0) {
      throw new WebhookUrlRefusedError(
        `its host resolves to ${refused?.address ?? 'nothing'}, not a public address`,
      );
    }
  }

  /** The filtering agent for an attempt to `url`. */
  agentFor(url: URL): Agent {
    return url.protocol === 'https:' ? this.agents.https : this.agents.http;
  }
}
