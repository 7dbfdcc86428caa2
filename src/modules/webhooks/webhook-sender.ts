import http from 'node:http';
import https from 'node:https';

import { Injectable } from '@nestjs/common';

import { WebhookTargets } from './webhook-targets';

/** A receiver has this long to answer, body included. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Of a response body, this much is kept for the deliveries log; the rest is not read. */
export const RESPONSE_EXCERPT_BYTES = 4096;

/** How one attempt went: a response (any status), or no response and why. */
export type AttemptResult =
  | { kind: 'response'; status: number; body: string; retryAfterSeconds?: number }
  | { kind: 'timeout' | 'refused' | 'network'; error: string };

/** Thrown when the job's own signal stops an attempt (shutdown, expiry): the job runs again. */
export class AttemptAbortedError extends Error {}

/**
 * POSTs one signed body. Node's http/https with the filtering agent (global fetch takes no agent),
 * redirects not followed (a 3xx is an answer like any other non-2xx), DELIVERY_TIMEOUT_MS for all of
 * it, and at most RESPONSE_EXCERPT_BYTES of the body read.
 */
@Injectable()
export class WebhookSender {
  constructor(private readonly targets: WebhookTargets) {}

  async post(
    url: string,
    body: string,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    let target: URL;
    try {
      target = this.targets.parse(url);
    } catch (error) {
      return { kind: 'refused', error: (error as Error).message };
    }
    const deadline = AbortSignal.timeout(DELIVERY_TIMEOUT_MS);
    try {
      return await this.send(target, body, headers, AbortSignal.any([signal, deadline]));
    } catch (error) {
      if (signal.aborted) {
        throw new AttemptAbortedError(`the attempt was stopped: ${String(signal.reason)}`);
      }
      if (deadline.aborted) {
        return { kind: 'timeout', error: `no complete answer within ${DELIVERY_TIMEOUT_MS / 1000} s` };
      }
      const message = error instanceof Error ? error.message : String(error);
      return { kind: / is not allowed\. /.test(message) ? 'refused' : 'network', error: message };
    }
  }

  private send(
    target: URL,
    body: string,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    const client = target.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.request(
        target,
        {
          method: 'POST',
          agent: this.targets.agentFor(target),
          signal,
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'listings-api-webhooks/1',
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          const finish = (): void => {
            resolve({
              kind: 'response',
              status: response.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              retryAfterSeconds: retryAfterSeconds(response.headers['retry-after']),
            });
            response.destroy();
          };
          response.on('data', (chunk: Buffer) => {
            chunks.push(chunk.subarray(0, RESPONSE_EXCERPT_BYTES - kept));
            kept = Math.min(RESPONSE_EXCERPT_BYTES, kept + chunk.length);
            if (kept >= RESPONSE_EXCERPT_BYTES) {
              finish();
            }
          });
          response.on('end', finish);
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }
}

/** Retry-After as seconds: a number of seconds, or an HTTP date. */
function retryAfterSeconds(value: string | undefined): number | undefined {
  if (!value) {
    return undefined;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value.trim());
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
