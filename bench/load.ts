import autocannon from 'autocannon';

import { differences } from './compare';
import { CpuSnapshot, cpuSnapshot, ForeignLoad, foreignLoad, TICKS } from './machine';
import type { BenchRequest, Scenario } from './scenarios';
import { RunningServer, sampleRss } from './servers';

export interface LoadOptions {
  connections: number;
  /** Seconds. */
  duration: number;
}

export interface Measurement {
  rps: number;
  p50: number;
  p975: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Peak resident memory of the server during the run, in kB. */
  rssPeakKb: number;
  /** CPU time the server used per answered request, in microseconds (all its threads). */
  cpuUs: number;
  foreign: ForeignLoad;
}

/**
 * autocannon's requests for sending several in turn: each one sent goes to the next of them, whichever
 * connection sends it.
 */
export function inTurn(
  requests: BenchRequest[],
): (BenchRequest & { setupRequest?: (base: { headers?: Record<string, string> }) => BenchRequest })[] {
  if (requests.length <= 1) {
    return requests;
  }
  let sent = 0;
  const rotate = (base: { headers?: Record<string, string> }) => {
    const next = requests[sent++ % requests.length];
    return { ...base, ...next, headers: { ...base.headers, ...next.headers } };
  };
  return [{ ...requests[0], setupRequest: rotate }];
}

/** Drives one server with one scenario for `duration` seconds. */
export async function measure(
  server: RunningServer,
  scenario: Scenario,
  options: LoadOptions,
  context: { ours: number[]; database: string },
): Promise<Measurement> {
  const requests = inTurn(scenario.requests);
  const rss = sampleRss(server.pid);
  const before: CpuSnapshot = cpuSnapshot();
  const result = await autocannon({
    url: server.url,
    connections: options.connections,
    duration: options.duration,
    timeout: 30,
    requests,
  });
  const after = cpuSnapshot();
  const foreign = foreignLoad(before, after, context.ours, context.database);
  const serverTicks = (after.ticks.get(server.pid)?.ticks ?? 0) - (before.ticks.get(server.pid)?.ticks ?? 0);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p975: result.latency.p97_5,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    rssPeakKb: rss.stop(),
    cpuUs: ((serverTicks / TICKS) * 1e6) / Math.max(1, result.requests.total),
    foreign,
  };
}

async function call(
  server: RunningServer,
  request: BenchRequest,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // compared as text
  }
  return { status: response.status, body };
}

/**
 * Sends the first requests of a scenario to both servers and compares the answers field by field;
 * for a page with a next page, also the next page (so the cursors are compared and accepted too).
 * Returns what differs, empty when the answers agree.
 */
export async function compareServers(
  project: RunningServer,
  reference: RunningServer,
  scenario: Scenario,
): Promise<string[]> {
  const found: string[] = [];
  for (const request of scenario.requests.slice(0, 3)) {
    const [mine, theirs] = [await call(project, request), await call(reference, request)];
    const label = `${request.method} ${request.path}`;
    if (mine.status !== scenario.status || theirs.status !== scenario.status) {
      found.push(
        `${label}: status ${mine.status} (project) and ${theirs.status} (reference), want ${scenario.status}`,
      );
      continue;
    }
    found.push(...differences(mine.body, theirs.body, scenario.ignore).map((line) => `${label}: ${line}`));
    const cursor = (mine.body as { nextCursor?: unknown }).nextCursor;
    if (typeof cursor === 'string') {
      const separator = request.path.includes('?') ? '&' : '?';
      const next = { ...request, path: `${request.path}${separator}cursor=${encodeURIComponent(cursor)}` };
      const [page2, page2Theirs] = [await call(project, next), await call(reference, next)];
      if (page2.status !== 200 || page2Theirs.status !== 200) {
        found.push(`${label} page 2: status ${page2.status} (project) and ${page2Theirs.status} (reference)`);
      } else {
        found.push(
          ...differences(page2.body, page2Theirs.body, scenario.ignore).map(
            (line) => `${label} page 2: ${line}`,
          ),
        );
      }
    }
  }
  return found;
}
