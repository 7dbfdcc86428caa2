import type { Server } from 'node:http';
import net from 'node:net';

/** Another process listens on the port this server was given; nothing was opened. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';

  constructor(host: string, port: number, cause: NodeJS.ErrnoException) {
    super(
      cause.code === 'EADDRINUSE'
        ? `Port ${port} on ${host} is already in use (another server?): stop it, or set PORT to a free one.`
        : `Cannot listen on ${host}:${port} (${cause.code ?? cause.message}): set HOST and PORT to an address of this machine.`,
      { cause },
    );
  }
}

/**
 * Listens on the address and lets go at once: the server checks its port before it opens the database
 * or starts a worker, so a second start on a busy port changes nothing before it exits. Port 0 (any
 * free port) always succeeds.
 */
export async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) {
    return;
  }
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => reject(new PortInUseError(host, port, error)));
    probe.listen({ port, host, exclusive: true }, resolve);
  });
  await new Promise((resolve) => probe.close(resolve));
}

/**
 * Where the server listens, as bound: `0.0.0.0:3000` (every IPv4 interface) is said as such, with a
 * local address to try, rather than as the loopback address Nest's `getUrl()` makes of it.
 */
export function describeListening(server: Server): string {
  const address = server.address();
  if (address === null || typeof address === 'string') {
    return String(address);
  }
  const { address: host, port } = address;
  const shown = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const everywhere = host === '0.0.0.0' || host === '::';
  return everywhere ? `${shown} (every interface: http://localhost:${port})` : `http://${shown}`;
}
