import { Prisma } from '@prisma/client';

/** Socket failures on the way to the database (pg and the driver adapter keep the system's code). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/**
 * SQLSTATEs that say the server cannot serve now: class 08 (connection exception), the server
 * shutting down or starting (57P01-57P03), too many connections (53300).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;

/**
 * Prisma's codes for the same: cannot reach the server (P1001), timed out (P1002, P1008), connection
 * closed (P1017), no connection from the pool in time (P2024), too many connections (P2037).
 */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);

/** What pg says, without a code, when a connection cannot be had or was lost. */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end)|Unable to start a transaction in the given time/;

/**
 * Whether an error means that the database could not be reached or went away (as opposed to a
 * statement it refused). Looks through the wrappers Prisma and its driver adapter put around the
 * driver's error.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (current instanceof Prisma.PrismaClientInitializationError) {
      return true;
    }
    const { code, message, cause, meta } = current as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      meta?: { driverAdapterError?: unknown };
    };
    if (typeof code === 'string') {
      if (SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_PRISMA_CODES.has(code)) {
        return true;
      }
    }
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) {
      return true;
    }
    const kind = (current as { kind?: unknown }).kind;
    if (kind === 'DatabaseNotReachable' || kind === 'ConnectionClosed' || kind === 'SocketTimeout') {
      return true;
    }
    current = meta?.driverAdapterError ?? cause;
  }
  return false;
}
