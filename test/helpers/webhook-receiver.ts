import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Webhook } from 'standardwebhooks';

/** A request the receiver got, with its body as sent (the signature covers these exact bytes). */
export interface ReceivedWebhook {
  id: string;
  timestamp: number;
  signatures: string[];
  headers: IncomingHttpHeaders;
  raw: string;
  body: { type: string; timestamp: string; data: any };
}

/** How the receiver answers one request: a status (and headers), or never. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A webhook receiver over HTTP on loopback, in the test process. It answers with `answers` in turn
 * (then 204), keeps every request, and counts connections (a refused target must see none).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  connections = 0;
  private answers: Answer[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private readonly server: Server;

  private constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        this.received.push({
          id: String(request.headers['webhook-id']),
          timestamp: Number(request.headers['webhook-timestamp']),
          signatures: String(request.headers['webhook-signature'] ?? '').split(' '),
          headers: request.headers,
          raw,
          body: JSON.parse(raw),
        });
        const answer = this.answers.shift() ?? { status: 204 };
        if (answer === 'hang') {
          this.hanging.add(response);
          return;
        }
        response.writeHead(answer.status, answer.headers).end(answer.body);
      });
    });
    this.server.on('connection', () => (this.connections += 1));
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hooks'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The next requests get these answers, in order. */
  answerWith(...answers: Answer[]): void {
    this.answers.push(...answers);
  }

  /** Requests of one event type (or all). */
  ofType(type?: string): ReceivedWebhook[] {
    return this.received.filter((request) => type === undefined || request.body.type === type);
  }

  async close(): Promise<void> {
    for (const response of this.hanging) {
      response.destroy();
    }
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Checks a request's signature as an integrator would, with the standardwebhooks library; throws if bad. */
export function verify(request: ReceivedWebhook, secret: string): unknown {
  return new Webhook(secret).verify(request.raw, {
    'webhook-id': request.id,
    'webhook-timestamp': String(request.timestamp),
    'webhook-signature': request.signatures.join(' '),
  });
}
