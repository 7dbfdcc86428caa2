import type { IncomingMessage } from 'node:http';

/** Read and dropped past the body limit, at most: this many bytes, or for this long. */
const MIN_DISCARDED_BYTES = 16 * 1024 * 1024;
const DISCARD_TIMEOUT_MS = 10_000;

/**
 * Waits until the rest of a request refused as too large has arrived (read and dropped), so the 413
 * reaches the client: a server that answers and closes while the client is still sending resets the
 * connection, and clients such as Node's fetch then report "other side closed" or EPIPE, not the 413.
 * Bounded by `discardLimit(bodyLimit)` bytes (a declared length above it is not waited for) and by
 * DISCARD_TIMEOUT_MS; past either, the answer goes out at once and the connection closes after it.
 */
export function discardOversizedBody(request: IncomingMessage, bodyLimit: number, done: () => void): void {
  const limit = discardLimit(bodyLimit);
  if (request.readableEnded || request.destroyed || Number(request.headers['content-length']) > limit) {
    done();
    return;
  }
  let received = 0;
  const finish = (): void => {
    clearTimeout(timer);
    request.off('data', count).off('end', finish).off('close', finish).off('error', finish);
    done();
  };
  const count = (chunk: Buffer | string): void => {
    received += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (received > limit) {
      finish();
    }
  };
  const timer = setTimeout(finish, DISCARD_TIMEOUT_MS);
  request.on('data', count).once('end', finish).once('close', finish).once('error', finish);
  request.resume();
}

export function discardLimit(bodyLimit: number): number {
  return Math.max(MIN_DISCARDED_BYTES, 4 * bodyLimit);
}
