import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { Logger } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';

import type { MailContent } from './templates';

/** A rendered mail and its recipient. */
export interface OutgoingMail extends MailContent {
  to: string;
}

/** Hands a rendered mail on; a throw fails the attempt (the mail job is then retried). */
export abstract class Mailer {
  abstract send(mail: OutgoingMail): Promise<void>;

  close(): void {}
}

/**
 * Over SMTP_URL. One connection per mail (no pool): mails are rare, and a server that went away
 * leaves no stale connection behind. Short timeouts, so an attempt against a server that does not
 * answer ends well within the job's expiry.
 */
export class SmtpMailer extends Mailer {
  private readonly transport: Transporter;

  constructor(url: string, from: string) {
    super();
    this.transport = nodemailer.createTransport(
      { url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 },
      { from },
    );
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail(mail);
  }

  override close(): void {
    this.transport.close();
  }
}

/**
 * Without SMTP_URL (the embedded default, development): each mail is written as an `.eml` file in
 * `directory`, as a mail server would have received it, with its plain text beside it in a `.txt` file
 * (the `.eml` text is quoted-printable, where a link cannot be copied), and its subject logged. Never
 * its text, which may hold a link that works.
 */
export class OutboxMailer extends Mailer {
  private readonly logger = new Logger('Mail');
  private readonly transport: Transporter;

  constructor(
    readonly directory: string,
    from: string,
  ) {
    super();
    this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true }, { from });
  }

  async send(mail: OutgoingMail): Promise<void> {
    const info = (await this.transport.sendMail(mail)) as { message: Buffer; messageId: string };
    await mkdir(this.directory, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^\w.-]/g, '')}`;
    const file = path.join(this.directory, name);
    const readable = `To: ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text}`;
    await writeFile(`${file}.txt`, readable.endsWith('\n') ? readable : `${readable}\n`, { mode: 0o600 });
    await writeFile(`${file}.eml`, info.message, { mode: 0o600 });
    this.logger.log(`Mail "${mail.subject}" written to ${file}.eml (its text: ${name}.txt)`);
  }
}
