import net from 'node:net';

const NAMED_AFTER_KIND = new Set(['D', 'C']);
const DEALLOCATE_ALL = /^\s*deallocate\s+all\s*;?\s*$/i;

/**
 * A loopback proxy to the embedded PGlite that gives each connection prepared statements of its own,
 * so that several instances of the service can share one embedded database in a test. PGlite is one
 * PostgreSQL session behind every connection (docs/operations.md#outages-and-shutdown): the
 * statements one instance prepares under a name collide with the other's ("already exists"), and the
 * `DEALLOCATE ALL` each new connection starts with drops the other's ("does not exist"). The proxy
 * suffixes every statement name of a connection's Parse, Bind, Describe and Close messages with that
 * connection's number, and answers its `DEALLOCATE ALL` with a statement that does nothing (its names
 * are new anyway). Only the client's messages are rewritten; the server's carry no statement names. A
 * real PostgreSQL server needs none of this: every connection is a session.
 */
export class StatementRenamingProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private connections = 0;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      this.connections += 1;
      const suffix = `__c${this.connections}`;
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      upstream.pipe(client);
      let pending = Buffer.alloc(0);
      let started = false;
      client.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        const out: Buffer[] = [];
        for (;;) {
          // The startup message has no type byte: a length, then the rest.
          const header = started ? 5 : 4;
          if (pending.length < header) {
            break;
          }
          const length = pending.readInt32BE(started ? 1 : 0) + (started ? 1 : 0);
          if (pending.length < length) {
            break;
          }
          const message = pending.subarray(0, length);
          pending = pending.subarray(length);
          out.push(started ? rewrite(message, suffix) : message);
          started = true;
        }
        if (out.length > 0) {
          upstream.write(Buffer.concat(out));
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** The message with its statement name suffixed, or a `DEALLOCATE ALL` made harmless. */
function rewrite(message: Buffer, suffix: string): Buffer {
  const type = String.fromCharCode(message[0]);
  const body = message.subarray(5);
  if (type === 'Q') {
    const text = body.toString('utf8', 0, body.length - 1);
    return DEALLOCATE_ALL.test(text) ? frame('Q', cstring('DO $$ BEGIN END $$')) : message;
  }
  if (type === 'B') {
    // Bind: the portal's name, then the statement's.
    const portalEnd = body.indexOf(0);
    const statementEnd = body.indexOf(0, portalEnd + 1);
    const statement = body.subarray(portalEnd + 1, statementEnd);
    if (statement.length === 0) {
      return message;
    }
    return frame(
      'B',
      Buffer.concat([
        body.subarray(0, portalEnd + 1),
        renamed(statement, suffix),
        body.subarray(statementEnd),
      ]),
    );
  }
  if (type === 'P') {
    // Parse: the statement's name first.
    const end = body.indexOf(0);
    if (end === 0) {
      return message;
    }
    return frame('P', Buffer.concat([renamed(body.subarray(0, end), suffix), body.subarray(end)]));
  }
  if (NAMED_AFTER_KIND.has(type) && String.fromCharCode(body[0]) === 'S') {
    // Describe and Close of a statement: 'S', then its name.
    const end = body.indexOf(0, 1);
    if (end === 1) {
      return message;
    }
    return frame(
      type,
      Buffer.concat([body.subarray(0, 1), renamed(body.subarray(1, end), suffix), body.subarray(end)]),
    );
  }
  return message;
}

function renamed(name: Buffer, suffix: string): Buffer {
  return Buffer.concat([name, Buffer.from(suffix)]);
}

function cstring(text: string): Buffer {
  return Buffer.concat([Buffer.from(text), Buffer.from([0])]);
}

function frame(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
