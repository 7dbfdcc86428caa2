import { setFlagsFromString } from 'node:v8';

import { Logger } from '@nestjs/common';

import { shutDownOnSignals } from './common/lifecycle/graceful-shutdown';
import { assertPortFree, describeListening, PortInUseError } from './common/lifecycle/listen';
import { ConfigurationError, loadEnvironment } from './config/environment';
import { assertDataDirFree, DataDirBusyError } from './database/data-dir-lock';
import { IN_MEMORY } from './database/embedded-database';

async function bootstrap(): Promise<void> {
  // Refusals that need nothing opened come first: a bad configuration, a port another process listens
  // on, a data folder another process holds. Nothing is opened and no worker starts before all three
  // are known to be fine, and the application (Nest, Prisma, sharp...) is loaded only then, so a refusal
  // takes a fraction of a second.
  const env = loadEnvironment();
  await assertPortFree(env.PORT, env.HOST);
  if (!env.DATABASE_URL && env.DATA_DIR !== IN_MEMORY) {
    await assertDataDirFree(env.DATA_DIR);
  }
  const [{ createApp }, { AppConfig, secretWarnings }] = await Promise.all([
    import('./app.setup'),
    import('./config/config.module'),
  ]);
  const app = await createApp();
  const config = app.get(AppConfig);
  limitHeapGrowth(config.get('HEAP_GROWTH_PERCENT', { infer: true }));
  const logger = new Logger('Bootstrap');
  for (const warning of secretWarnings(config)) {
    logger.warn(warning);
  }
  // SIGTERM/SIGINT: stop accepting, finish in-flight requests, then close the pool and the database.
  shutDownOnSignals(app, { graceMs: config.get('SHUTDOWN_GRACE_MS', { infer: true }) });
  await app.listen(config.get('PORT', { infer: true }), config.get('HOST', { infer: true }));
  logger.log(`Listening on ${describeListening(app.getHttpServer())}; docs at /docs`);
}

/**
 * V8 lets the old space grow to 4x what survived the last full collection on a machine with much
 * memory; with ~30 MB live that is 250-300 MB resident under sustained load. The factor is read at
 * every full collection, so setting it once the app is built is enough (bench/RESULTS.md measures
 * what each setting costs). Only the server sets it: tests and commands keep V8's defaults.
 */
function limitHeapGrowth(percent: number): void {
  if (percent > 0) {
    setFlagsFromString(`--heap-growing-percent=${percent}`);
  }
}

/** Refusals the operator can act on print as one message; anything else keeps its stack. Exit 1 either way. */
function fail(error: unknown): never {
  const known = [ConfigurationError, DataDirBusyError, PortInUseError].some((type) => error instanceof type);
  console.error(known ? (error as Error).message : error);
  process.exit(1);
}

bootstrap().catch(fail);
