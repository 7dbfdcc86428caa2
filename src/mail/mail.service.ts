import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';

import { SealedBox, SealedBoxUnreadableError } from '../common/crypto/sealed-box';
import { AppConfig } from '../config/config.module';
import { JobsService, type SendOptions } from '../jobs/jobs.service';
import { Queue } from '../jobs/queue';
import { Mailer } from './mailer';
import { type Brand, type Mail, type MailTemplateName, renderMail } from './templates';

/**
 * A mail as its job carries it: the recipient and template in the clear (what an operator looks for),
 * the variables sealed, since they hold the links' one-time tokens (a reset link is a password for
 * its lifetime) and the job table is no place for them.
 */
export interface MailJob {
  to: string;
  template: MailTemplateName;
  /**
   * JSON of the template's variables, sealed (src/common/crypto/sealed-box.ts); in a job enqueued
   * before variables were sealed, the variables themselves.
   */
  vars: string | Mail['vars'];
}

/**
 * Mail as durable jobs: `send` enqueues (inside the transaction of the change that causes the mail,
 * so it exists if and only if that commits), and a worker renders and hands it to the Mailer. A mail
 * server that is down fails attempts, never requests: the job is retried MAIL_RETRY_LIMIT times,
 * each wait about twice the last, from MAIL_RETRY_DELAY_SECONDS. A job's variables are sealed under
 * WEBHOOK_SECRET_KEY; a job sealed under another key (development generates one per start) is dropped.
 */
@Injectable()
export class MailService implements OnModuleInit, OnApplicationShutdown {
  readonly queue: Queue<MailJob>;
  private readonly brand: Brand;
  private readonly box: SealedBox;
  private readonly logger = new Logger(MailService.name);

  constructor(
    private readonly jobs: JobsService,
    private readonly mailer: Mailer,
    config: AppConfig,
  ) {
    this.queue = new Queue<MailJob>('send-mail', {
      retryLimit: config.get('MAIL_RETRY_LIMIT', { infer: true }),
      retryDelaySeconds: config.get('MAIL_RETRY_DELAY_SECONDS', { infer: true }),
      retryBackoff: true,
      expireInSeconds: 120,
      concurrency: 4,
    });
    this.brand = {
      productName: config.get('PRODUCT_NAME', { infer: true }),
      appUrl: config.get('APP_URL', { infer: true }).replace(/\/+$/, ''),
    };
    this.box = new SealedBox(config.get('WEBHOOK_SECRET_KEY', { infer: true }) ?? '', 'mail-variables');
  }

  async onModuleInit(): Promise<void> {
    await this.jobs.register(this.queue, (job) => this.deliver(job));
  }

  onApplicationShutdown(): void {
    this.mailer.close();
  }

  /** A link into the web application: `<APP_URL><path>?token=<token>`. */
  link(pathname: string, token: string): string {
    return `${this.brand.appUrl}${pathname}?token=${encodeURIComponent(token)}`;
  }

  /** Enqueues a mail; pass the transaction of the change that causes it. The job's id. */
  send(mail: Mail, options: SendOptions = {}): Promise<string> {
    const job: MailJob = {
      to: mail.to,
      template: mail.template,
      vars: this.box.seal(JSON.stringify(mail.vars)),
    };
    return this.jobs.send(this.queue, job, options);
  }

  /** Opens, renders and sends one mail now (the job's handler). */
  async deliver(job: MailJob): Promise<void> {
    let vars: unknown;
    try {
      vars = typeof job.vars === 'string' ? JSON.parse(this.box.open(job.vars)) : job.vars;
    } catch (error) {
      if (!(error instanceof SealedBoxUnreadableError)) {
        throw error;
      }
      // Retrying cannot help: the key it was sealed under is gone (WEBHOOK_SECRET_KEY changed).
      this.logger.warn(`A ${job.template} mail was dropped: ${error.message}`);
      return;
    }
    const mail = { to: job.to, template: job.template, vars } as Mail;
    await this.mailer.send({ to: mail.to, ...renderMail(mail, this.brand) });
  }
}
