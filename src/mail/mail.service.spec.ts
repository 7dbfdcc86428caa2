import { Logger } from '@nestjs/common';

import { strictFake } from '@test/helpers/strict-fake';

import type { AppConfig } from '../config/config.module';
import type { JobsService } from '../jobs/jobs.service';
import { type MailJob, MailService } from './mail.service';
import { Mailer, type OutgoingMail } from './mailer';

/** Keeps what it is asked to send. */
class FakeMailer extends Mailer {
  readonly sent: OutgoingMail[] = [];

  send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
    return Promise.resolve();
  }
}

/** Keeps what is enqueued instead of writing it to pg-boss. */
function fakeJobs(): { jobs: JobsService; enqueued: MailJob[] } {
  const enqueued: MailJob[] = [];
  const jobs = strictFake<JobsService>({
    send: <T extends object>(_queue: unknown, data: T) => {
      enqueued.push(data as unknown as MailJob);
      return Promise.resolve(String(enqueued.length));
    },
  });
  return { jobs, enqueued };
}

const SETTINGS: Record<string, unknown> = {
  MAIL_RETRY_LIMIT: 3,
  MAIL_RETRY_DELAY_SECONDS: 1,
  PRODUCT_NAME: 'Acme Homes',
  APP_URL: 'https://app.example.test/',
};
const configWith = (key: string): AppConfig =>
  strictFake<AppConfig>({ get: (name: string) => (name === 'WEBHOOK_SECRET_KEY' ? key : SETTINGS[name]) });

describe(MailService.name, () => {
  beforeAll(() => Logger.overrideLogger(false));

  const link = 'https://app.example.test/reset-password?token=one-time-token-0123456789';

  it('enqueues the variables sealed, and delivers them opened', async () => {
    const { jobs, enqueued } = fakeJobs();
    const mailer = new FakeMailer();
    const mail = new MailService(jobs, mailer, configWith('unit-test-mail-key-0123456789abcdef'));
    await mail.send({ to: 'ann@example.com', template: 'password-reset', vars: { link } });
    expect(enqueued).toEqual([
      { to: 'ann@example.com', template: 'password-reset', vars: expect.any(String) },
    ]);
    expect(JSON.stringify(enqueued)).not.toContain('one-time-token');
    await mail.deliver(enqueued[0]);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({
      to: 'ann@example.com',
      subject: 'Reset your Acme Homes password',
    });
    expect(mailer.sent[0].text).toContain(link);
  });

  it('drops a job sealed under another key, without sending or failing (a retry could not open it)', async () => {
    const { jobs, enqueued } = fakeJobs();
    await new MailService(jobs, new FakeMailer(), configWith('the-key-before-a-restart-0123456789')).send({
      to: 'ann@example.com',
      template: 'password-reset',
      vars: { link },
    });
    const mailer = new FakeMailer();
    const now = new MailService(jobs, mailer, configWith('the-key-after-a-restart-0123456789ab'));
    await expect(now.deliver(enqueued[0])).resolves.toBeUndefined();
    expect(mailer.sent).toHaveLength(0);
  });

  it('still delivers a job enqueued before variables were sealed (their plain JSON)', async () => {
    const { jobs } = fakeJobs();
    const mailer = new FakeMailer();
    const mail = new MailService(jobs, mailer, configWith('unit-test-mail-key-0123456789abcdef'));
    const legacy: MailJob = { to: 'ann@example.com', template: 'password-reset', vars: { link } };
    await mail.deliver(legacy);
    expect(mailer.sent[0].text).toContain(link);
  });
});
