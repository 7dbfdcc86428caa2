import type { Server } from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { Lifecycle } from './lifecycle';

export interface ShutdownOptions {
  /** The whole shutdown's budget (SHUTDOWN_GRACE_MS): past it the process exits with 1 regardless. */
  graceMs: number;
  exit?: (code: number) => void;
}

/**
 * How long requests already sent on kept-alive connections get to be read before connections with
 * nothing in flight are closed: closing them at the signal would reset those requests.
 */
const SETTLE_MS = 250;
const POLL_MS = 50;

/** SIGTERM and SIGINT shut the application down once, gracefully; a second signal changes nothing. */
export function shutDownOnSignals(app: NestFastifyApplication, options: ShutdownOptions): void {
  let started = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (!started) {
        started = true;
        void shutDown(app, signal, options);
      }
    });
  }
}

/**
 * Stops accepting connections, lets the requests in flight finish (each answered with
 * `Connection: close`), closes kept-alive connections as they go idle, then closes the application
 * (Nest's shutdown hooks: the pool and the database), and exits 0, all within `graceMs`.
 */
export async function shutDown(
  app: NestFastifyApplication,
  reason: string,
  { graceMs, exit = (code) => process.exit(code) }: ShutdownOptions,
): Promise<void> {
  const logger = new Logger('Shutdown');
  const startedAt = Date.now();
  logger.log(`${reason}: shutting down (grace ${graceMs} ms)`);
  const hardStop = setTimeout(() => {
    logger.error(`Shutdown did not finish within ${graceMs} ms: exiting`);
    exit(1);
  }, graceMs);
  hardStop.unref();
  try {
    app.get(Lifecycle).startDraining();
    // What is left after the requests is closing the pool and the database (a bounded wait of its own).
    const reserveMs = Math.min(2000, graceMs / 4);
    const cut = await drain(app.getHttpServer(), graceMs - reserveMs);
    if (cut > 0) {
      logger.warn(`Closed ${cut} connection(s) with requests still in flight`);
    }
    await app.close();
  } catch (error) {
    clearTimeout(hardStop);
    logger.error(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
    exit(1);
    return;
  }
  clearTimeout(hardStop);
  logger.log(`Shutdown complete in ${Date.now() - startedAt} ms`);
  exit(0);
}

/**
 * Stops listening and waits, up to `budgetMs`, until every connection has closed; the number of
 * connections it had to close with a request still in flight.
 */
async function drain(server: Server, budgetMs: number): Promise<number> {
  // net.Server's close: no new connections. http.Server's would also close every idle kept-alive
  // connection at once, resetting a request that is on the wire but not yet read.
  net.Server.prototype.close.call(server);
  const deadline = Date.now() + budgetMs;
  await sleep(Math.min(SETTLE_MS, budgetMs));
  while ((await openConnections(server)) > 0 && Date.now() < deadline) {
    server.closeIdleConnections();
    await sleep(POLL_MS);
  }
  const left = await openConnections(server);
  if (left > 0) {
    server.closeAllConnections();
  }
  return left;
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
}
