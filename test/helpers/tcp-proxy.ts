import net from 'node:net';

/**
 * A loopback TCP proxy that a test can cut and restore, to make a database disappear and come back
 * without touching the database itself.
 */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private server?: net.Server;
  private holding = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.holding = false;
    this.server = net.createServer((client) => {
      this.track(client);
      if (this.holding) {
        return; // accepted, never answered: a server that hangs
      }
      const upstream = net.connect(this.targetPort, this.targetHost);
      this.track(upstream);
      client.pipe(upstream).pipe(client);
      const pair: [net.Socket, net.Socket] = [client, upstream];
      this.pairs.add(pair);
      client.on('close', () => this.pairs.delete(pair));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
  }

  /** Ends every connection through the proxy (as a database restart would); new ones still pass. */
  dropConnections(): void {
    for (const socket of this.sockets) {
      socket.destroy();
    }
  }

  /** Drops every connection and refuses new ones (the port is closed). */
  async cut(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Drops every connection and accepts new ones without ever answering (a hung server). */
  hang(): void {
    this.dropConnections();
    this.holding = true;
  }

  /**
   * Keeps every connection open but passes nothing more either way, and holds new ones: a network
   * that silently drops traffic, where neither side sees a close.
   */
  freeze(): void {
    this.holding = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Listens again on the same port, passing connections through. */
  async restore(): Promise<void> {
    if (this.server?.listening) {
      this.dropConnections();
      this.holding = false;
      return;
    }
    await this.start();
  }

  async stop(): Promise<void> {
    await this.cut();
  }
}
