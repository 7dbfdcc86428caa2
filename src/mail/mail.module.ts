import { tmpdir } from 'node:os';
import path from 'node:path';

import { Global, Module } from '@nestjs/common';

import { AppConfig } from '../config/config.module';
import { IN_MEMORY } from '../database/embedded-database';
import { MailService } from './mail.service';
import { Mailer, OutboxMailer, SmtpMailer } from './mailer';

/** Where mails go without SMTP_URL: DATA_DIR/outbox (a temporary folder when the data lives in memory). */
export function outboxDirectory(dataDir: string): string {
  return path.join(dataDir === IN_MEMORY ? tmpdir() : dataDir, 'outbox');
}

/** Mail for every module: `MailService.send` enqueues, its worker sends over SMTP or to the outbox. */
@Global()
@Module({
  providers: [
    {
      provide: Mailer,
      inject: [AppConfig],
      useFactory: (config: AppConfig): Mailer => {
        const from = config.get('MAIL_FROM', { infer: true });
        const url = config.get('SMTP_URL', { infer: true });
        return url
          ? new SmtpMailer(url, from)
          : new OutboxMailer(outboxDirectory(config.get('DATA_DIR', { infer: true })), from);
      },
    },
    MailService,
  ],
  exports: [MailService],
})
export class MailModule {}
