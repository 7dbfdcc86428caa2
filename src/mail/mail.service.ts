import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/config.module';
import { JobsService, type SendOptions } from '../jobs/jobs.service';
import { Queue } from '../jobs/queue';
import { Mailer } from './mailer';
import { type Brand, type Mail, renderMail } from './templates';

/**
 * Mail as durable jobs: `send` enqueues (inside the transaction of the change that causes the mail,
 * so it exists if and only if that commits), and a worker renders and hands it to the Mailer. A mail
 * server that is down fails attempts, never requests: the job is retried MAIL_RETRY_LIMIT times,
 * each wait about twice the last, from MAIL_RETRY_DELAY_SECONDS.
 */
@Injectable()
export class MailService implements OnModuleInit, OnApplicationShutdown {
  readonly queue: Queue<Mail>;
  private readonly brand: Brand;

  constructor(
    private readonly jobs: JobsService,
    private readonly mailer: Mailer,
    config: AppConfig,
  ) {
    this.queue = new Queue<Mail>('send-mail', {
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
  }

  async onModuleInit(): Promise<void> {
    await this.jobs.register(this.queue, (mail) => this.deliver(mail));
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
    return this.jobs.send(this.queue, mail, options);
  }

  /** Renders and sends one mail now (the job's handler). */
  async deliver(mail: Mail): Promise<void> {
    await this.mailer.send({ to: mail.to, ...renderMail(mail, this.brand) });
  }
}
