import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Logger } from '@nestjs/common';
import { simpleParser } from 'mailparser';

import { OutboxMailer } from './mailer';
import { renderMail } from './templates';

const BRAND = { productName: 'Acme <Homes>', appUrl: 'https://app.example.test' };

describe('mail rendering and the outbox', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('renders the text and the HTML of one template, with the link in both and the HTML escaped', () => {
    const link = 'https://app.example.test/reset-password?token=abc&x=1';
    const content = renderMail({ to: 'a@example.com', template: 'password-reset', vars: { link } }, BRAND);
    expect(content.subject).toBe('Reset your Acme <Homes> password');
    expect(content.text).toContain(`Choose a new password:\n${link}`);
    expect(content.html).toContain('href="https://app.example.test/reset-password?token=abc&#38;x=1"');
    expect(content.html).toContain('Acme &#60;Homes&#62;');
    expect(content.html).not.toContain('<Homes>');
  });

  it('writes each mail to the outbox as an .eml file a mail reader parses, and its text beside it', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'outbox-'));
    try {
      const mailer = new OutboxMailer(path.join(directory, 'outbox'), 'Acme <no-reply@example.test>');
      const link = `https://app.example.test/reset-password?token=${'t'.repeat(80)}`;
      const content = renderMail(
        { to: 'bob@example.com', template: 'password-reset', vars: { link } },
        BRAND,
      );
      await mailer.send({ to: 'bob@example.com', ...content });
      const files = (await readdir(path.join(directory, 'outbox'))).sort();
      expect(files).toEqual([expect.stringMatching(/\.eml$/), files[0].replace(/\.eml$/, '.txt')]);
      const eml = await readFile(path.join(directory, 'outbox', files[0]));
      // The mail as sent is quoted-printable: the link is cut and its '=' escaped.
      expect(eml.toString()).not.toContain(link);
      const text = await readFile(path.join(directory, 'outbox', files[1]), 'utf8');
      expect(text).toBe(`To: bob@example.com\nSubject: ${content.subject}\n\n${content.text}`);
      expect(text.split('\n')).toContain(link);
      const parsed = await simpleParser(eml);
      expect(parsed.subject).toBe(content.subject);
      expect(parsed.text?.trim()).toBe(content.text.trim());
      expect(parsed.html).toContain('<p>');
      expect(parsed.from?.value).toEqual([{ name: 'Acme', address: 'no-reply@example.test' }]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
