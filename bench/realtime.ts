import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { io, type Socket } from 'socket.io-client';

import type { RunningServer } from './servers';
import { percentile } from './stats';

/**
 * The realtime scenario (`npm run bench -- --only realtime`): 200 clients connected over Socket.IO
 * in 100 two-person chats, messages sent over REST at rising rates, each timed from the moment its
 * POST leaves to the moment each participant's socket has it. With two servers (on one Redis),
 * participants are spread over both, so each message crosses instances to reach one of its two.
 */
export const REALTIME_CLIENTS = 200;
const CHATS = REALTIME_CLIENTS / 2;
/** Sends in flight at most; past it the rate is not reached, and that is reported. */
const MAX_IN_FLIGHT = 128;

export interface RealtimeStep {
  instances: number;
  /** Messages per second asked for, and reached. */
  rate: number;
  sent: number;
  achievedRate: number;
  /** Deliveries expected (two per message), made, and made more than once. */
  expected: number;
  delivered: number;
  duplicates: number;
  p50Ms: number;
  p99Ms: number;
  failedSends: number;
}

interface Client {
  userId: string;
  token: string;
  socket?: Socket;
}

async function json(url: string, init: RequestInit): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  });
  if (!response.ok) {
    throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as Record<string, unknown>;
}

async function register(base: string): Promise<Client> {
  const tag = randomBytes(6).toString('hex');
  const body = await json(`${base}/v1/auth/register`, {
    method: 'POST',
    body: JSON.stringify({
      email: `rt-${tag}@example.com`,
      username: `rt_${tag}`,
      password: `pw-${tag}-correct-horse`,
      name: `Realtime ${tag}`,
    }),
  });
  return { userId: (body.user as { id: string }).id, token: body.accessToken as string };
}

function connect(base: string, token: string): Promise<Socket> {
  const socket = io(base, {
    path: '/v1/realtime',
    transports: ['websocket'],
    auth: { token },
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** POSTs `body` as JSON on a kept-alive connection of `agent`; the response's status. */
function post(agent: http.Agent, url: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Runs the rising rates against `servers` (one, or two sharing a Redis); a step per rate. */
export async function realtimeBench(
  servers: RunningServer[],
  rates: number[],
  durationS: number,
): Promise<RealtimeStep[]> {
  const base = servers[0].url;
  // Node's http client with kept-alive connections: it costs the bench process less than fetch.
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  const clients: Client[] = [];
  for (let batch = 0; batch < REALTIME_CLIENTS; batch += 10) {
    clients.push(...(await Promise.all(Array.from({ length: 10 }, () => register(base)))));
  }
  const chats: { id: string; members: [Client, Client] }[] = [];
  for (let chat = 0; chat < CHATS; chat += 1) {
    const members: [Client, Client] = [clients[2 * chat], clients[2 * chat + 1]];
    const created = await json(`${base}/v1/chats`, {
      method: 'POST',
      headers: { authorization: `Bearer ${members[0].token}` },
      body: JSON.stringify({ participantIds: [members[1].userId] }),
    });
    chats.push({ id: created.id as string, members });
  }
  // With two servers the two participants of a chat are on different instances.
  await Promise.all(
    clients.map(async (client, index) => {
      client.socket = await connect(servers[index % servers.length].url, client.token);
    }),
  );

  /** Per message text: when its POST left, and the delivery times seen per participant. */
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const deliveries = new Map<string, number>();
  for (const client of clients) {
    client.socket!.on('message.created', (event: { message: { text: string } }) => {
      const at = performance.now();
      const key = `${event.message.text}|${client.userId}`;
      const seen = (deliveries.get(key) ?? 0) + 1;
      deliveries.set(key, seen);
      const started = sentAt.get(event.message.text);
      if (seen === 1 && started !== undefined) {
        latencies.push(at - started);
      }
    });
  }

  const steps: RealtimeStep[] = [];
  try {
    for (const rate of rates) {
      sentAt.clear();
      deliveries.clear();
      latencies.length = 0;
      let inFlight = 0;
      let sent = 0;
      let failedSends = 0;
      const total = Math.round(rate * durationS);
      const began = performance.now();
      const pending: Promise<void>[] = [];
      for (let index = 0; index < total; index += 1) {
        const due = began + (index * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) {
          await sleep(wait);
        }
        if (inFlight >= MAX_IN_FLIGHT) {
          // Behind: this message waits for a free slot rather than piling up requests.
          while (inFlight >= MAX_IN_FLIGHT) {
            await sleep(1);
          }
        }
        const chat = chats[index % CHATS];
        const sender = chat.members[index % 2];
        const text = `r${rate}-${index}`;
        inFlight += 1;
        sentAt.set(text, performance.now());
        pending.push(
          post(
            agent,
            `${servers[(index >> 1) % servers.length].url}/v1/chats/${chat.id}/messages`,
            sender.token,
            JSON.stringify({ text }),
          )
            .then((status) => {
              if (status !== 201) {
                failedSends += 1;
              }
            })
            .catch(() => {
              failedSends += 1;
            })
            .finally(() => {
              inFlight -= 1;
            }),
        );
        sent += 1;
      }
      await Promise.all(pending);
      const elapsedS = (performance.now() - began) / 1000;
      // Let the last deliveries arrive.
      const expected = (sent - failedSends) * 2;
      const settleUntil = performance.now() + 3000;
      while (deliveries.size < expected && performance.now() < settleUntil) {
        await sleep(10);
      }
      let duplicates = 0;
      for (const count of deliveries.values()) {
        duplicates += count - 1;
      }
      steps.push({
        instances: servers.length,
        rate,
        sent,
        achievedRate: Math.round(sent / elapsedS),
        expected,
        delivered: deliveries.size,
        duplicates,
        p50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
        p99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
        failedSends,
      });
      const step = steps[steps.length - 1];
      console.log(
        `  ${servers.length} instance(s), ${rate}/s: reached ${step.achievedRate}/s, delivered ${step.delivered}/${step.expected}, ` +
          `duplicates ${step.duplicates}, p50 ${step.p50Ms} ms, p99 ${step.p99Ms} ms, failed sends ${step.failedSends}`,
      );
      await sleep(500);
    }
  } finally {
    for (const client of clients) {
      client.socket?.close();
    }
    agent.destroy();
  }
  return steps;
}

/** The highest rate whose every message reached each participant once with a p99 under 50 ms. */
export function sustainedRate(steps: RealtimeStep[]): RealtimeStep | undefined {
  return steps
    .filter(
      (step) =>
        step.p99Ms < 50 &&
        step.delivered === step.expected &&
        step.duplicates === 0 &&
        step.failedSends === 0 &&
        step.achievedRate >= step.rate * 0.95,
    )
    .at(-1);
}

export function realtimeTable(steps: RealtimeStep[]): string {
  const lines = [
    '| instances | asked msg/s | reached msg/s | delivered / expected | duplicates | failed sends | p50 ms | p99 ms |',
    '| --: | --: | --: | --: | --: | --: | --: | --: |',
    ...steps.map(
      (step) =>
        `| ${step.instances} | ${step.rate} | ${step.achievedRate} | ${step.delivered} / ${step.expected} | ${step.duplicates} | ${step.failedSends} | ${step.p50Ms} | ${step.p99Ms} |`,
    ),
  ];
  for (const instances of [...new Set(steps.map((step) => step.instances))]) {
    const best = sustainedRate(steps.filter((step) => step.instances === instances));
    lines.push(
      '',
      best
        ? `${instances} instance(s): highest rate with every delivery made once and p99 under 50 ms: ${best.rate} msg/s (p50 ${best.p50Ms} ms, p99 ${best.p99Ms} ms)`
        : `${instances} instance(s): no rate met p99 under 50 ms with every delivery made once`,
    );
  }
  return lines.join('\n');
}
