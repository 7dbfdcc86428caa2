import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail the sink received, parsed: its recipients, subject, text and HTML. */
export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  parsed: ParsedMail;
}

/**
 * A real SMTP server in the test process (smtp-server on loopback, no TLS, no auth needed) that keeps
 * every mail it accepts, parsed with mailparser. `stop()` and `start()` again on the same port play
 * a mail server that goes away and comes back.
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  private server?: SMTPServer;

  private constructor(public port: number) {}

  /** A sink listening on `port` (0: a free one). */
  static async start(port = 0): Promise<SmtpSink> {
    const sink = new SmtpSink(port);
    await sink.start();
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            const to = [parsed.to ?? []]
              .flat()
              .flatMap((address) => address.value.map((v) => v.address ?? ''));
            this.mails.push({
              to,
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              parsed,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  /** The mails to `address` so far. */
  to(address: string): ReceivedMail[] {
    return this.mails.filter((mail) => mail.to.includes(address));
  }

  /** Waits until `address` has received `count` mails (the first by default); the last of them. */
  async waitFor(address: string, count = 1, timeoutMs = 20_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    while (this.to(address).length < count) {
      if (Date.now() > deadline) {
        throw new Error(
          `${address} received ${this.to(address).length} mail(s), not ${count}, within ${timeoutMs} ms`,
        );
      }
      await sleep(50);
    }
    return this.to(address)[count - 1];
  }
}

/** The token of the link to `<base><path>?token=...` in a mail's text; throws when there is none. */
export function tokenOf(mail: ReceivedMail, base: string, path: string): string {
  const escaped = `${base}${path}`.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`${escaped}\\?token=([A-Za-z0-9_%-]+)`).exec(mail.text);
  if (!match) {
    throw new Error(`No ${path} link in the mail "${mail.subject}":\n${mail.text}`);
  }
  return decodeURIComponent(match[1]);
}
