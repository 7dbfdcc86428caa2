import { Logger } from '@nestjs/common';
import { createApp } from './app.setup';
import { AppConfig } from './config/config.module';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const config = app.get(AppConfig);
  const logger = new Logger('Bootstrap');
  for (const name of config.get('generatedSecrets', { infer: true })) {
    logger.warn(
      `${name} is not set: generated a random one for this run (tokens will not survive a restart)`,
    );
  }
  // SIGTERM/SIGINT: stop accepting, finish in-flight requests, then close the pool and the database.
  app.enableShutdownHooks();
  await app.listen(config.get('PORT', { infer: true }), config.get('HOST', { infer: true }));
  logger.log(`Listening on ${await app.getUrl()} (docs at /docs)`);
}

void bootstrap();
