/**
 * The `webhooks` scenario (`npm run bench -- --only webhooks`): post changes of an account with one
 * endpoint at a fast receiver in this process, end to end through the project's outbox (the event and
 * its job written with the change), its pg-boss workers and the signed HTTP delivery. No reference
 * server: there is nothing to compare with. It reports deliveries per second from the first change to
 * the last delivery, the lag (receipt minus the event's time) at p50 and p99, and duplicates by
 * `webhook-id`; every event must arrive, with a valid signature.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Webhook } from 'standardwebhooks';

import { benchPost } from './post-input';
import { median } from './report';
import { login } from './scenarios';
import { RunningServer } from './servers';
import { percentile } from './stats';

export interface WebhookBenchResult {
  changes: number;
  concurrency: number;
  changesPerSecond: number;
  deliveriesPerSecond: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  delivered: number;
  duplicates: number;
  badSignatures: number;
  missing: number;
}

/** Runs `count` tasks, `concurrency` at a time. */
async function pool(count: number, concurrency: number, task: (n: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        await task(next++);
      }
    }),
  );
}

async function call<T = { id: string }>(
  url: string,
  method: string,
  token: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) {
    throw new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Half the changes create posts of the account, the other half rename them. `project` must run with
 * WEBHOOK_ALLOW_INSECURE=true (the receiver is on loopback).
 */
export async function webhooksBench(
  project: RunningServer,
  email: string,
  changes: number,
  concurrency = 16,
  timeoutMs = 600_000,
): Promise<WebhookBenchResult> {
  const arrivals = new Map<string, number>();
  const lags: number[] = [];
  let received = 0;
  let badSignatures = 0;
  let lastArrival = 0;
  let verifier: Webhook | undefined;
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const now = Date.now();
      const raw = Buffer.concat(chunks).toString('utf8');
      const id = String(request.headers['webhook-id']);
      received += 1;
      lastArrival = now;
      try {
        verifier!.verify(raw, request.headers as Record<string, string>);
      } catch {
        badSignatures += 1;
      }
      if (!arrivals.has(id)) {
        arrivals.set(id, now);
        lags.push(now - Date.parse((JSON.parse(raw) as { timestamp: string }).timestamp));
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  try {
    const token = await login(project.url, email);
    const account = await call(`${project.url}/v1/accounts`, 'POST', token, { name: 'Webhook bench' });
    const { port } = receiver.address() as AddressInfo;
    const webhook = await call<{ secret: string }>(
      `${project.url}/v1/accounts/${account.id}/webhooks`,
      'POST',
      token,
      {
        url: `http://127.0.0.1:${port}/hooks`,
        events: ['post.created', 'post.updated', 'post.deleted'],
      },
    );
    verifier = new Webhook(webhook.secret);

    const creates = Math.ceil(changes / 2);
    const postIds: string[] = [];
    const started = Date.now();
    await pool(creates, concurrency, async (n) => {
      const post = await call(
        `${project.url}/v1/posts`,
        'POST',
        token,
        benchPost(n, 'Webhook bench', { price: 1000 + n, property: 'APARTMENT', accountId: account.id }),
      );
      postIds.push(post.id);
    });
    await pool(changes - creates, concurrency, async (n) => {
      await call(`${project.url}/v1/posts/${postIds[n]}`, 'PATCH', token, { title: `Renamed ${n}` });
    });
    const changed = Date.now();
    const deadline = changed + timeoutMs;
    while (arrivals.size < changes && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = Math.max(0.001, (lastArrival - started) / 1000);
    return {
      changes,
      concurrency,
      changesPerSecond: changes / Math.max(0.001, (changed - started) / 1000),
      deliveriesPerSecond: arrivals.size / seconds,
      lagP50Ms: median(lags),
      lagP99Ms: percentile(lags, 99),
      lagMaxMs: Math.max(0, ...lags),
      delivered: arrivals.size,
      duplicates: received - arrivals.size,
      badSignatures,
      missing: changes - arrivals.size,
    };
  } finally {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
}

export function webhooksTable(result: WebhookBenchResult): string {
  return [
    '| post changes | API changes/s | deliveries/s end to end | lag p50 ms | lag p99 ms | lag max ms | delivered | duplicates | bad signatures |',
    '| --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    `| ${result.changes} | ${result.changesPerSecond.toFixed(0)} | ${result.deliveriesPerSecond.toFixed(0)} | ` +
      `${result.lagP50Ms.toFixed(0)} | ${result.lagP99Ms.toFixed(0)} | ${result.lagMaxMs.toFixed(0)} | ` +
      `${result.delivered} | ${result.duplicates} | ${result.badSignatures} |`,
  ].join('\n');
}
