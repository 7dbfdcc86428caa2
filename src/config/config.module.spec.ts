import { AppConfig, secretWarnings } from './config.module';
import { validateEnvironment } from './environment';

describe(secretWarnings.name, () => {
  it('says a generated secret lasts this run, unless development keeps it in its file', () => {
    const perRun = new AppConfig({ ...validateEnvironment({ NODE_ENV: 'test' }) });
    expect(secretWarnings(perRun)).toEqual([
      'JWT_SECRET is not set: generated a random one for this run (tokens will not survive a restart)',
      "WEBHOOK_SECRET_KEY is not set: generated a random one for this run (webhooks' signing secrets will not survive a restart)",
    ]);
    const kept = new AppConfig({
      generatedSecrets: ['WEBHOOK_SECRET_KEY'],
      keptSecrets: ['JWT_SECRET'],
      secretsFile: '/srv/data/secrets.json',
    });
    expect(secretWarnings(kept)).toEqual([
      'WEBHOOK_SECRET_KEY is not set: generated one for development and kept it in /srv/data/secrets.json (production requires it set)',
      'JWT_SECRET is not set: using the development one kept in /srv/data/secrets.json (production requires it set)',
    ]);
    expect(
      secretWarnings(
        new AppConfig({
          ...validateEnvironment({
            NODE_ENV: 'test',
            JWT_SECRET: 's'.repeat(32),
            WEBHOOK_SECRET_KEY: 'w'.repeat(32),
          }),
        }),
      ),
    ).toEqual([]);
  });
});
