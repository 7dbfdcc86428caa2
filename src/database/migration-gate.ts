import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { databaseNotMigrated, type Problem, toProblem } from '../common/errors/problem';
import { writeProblem } from '../common/errors/problem-details.filter';
import { DatabaseConnection } from './database-connection';

/** While not migrated, requests look at the database's history again at most this often. */
const RECHECK_INTERVAL_MS = 1000;

/** The routes a database without this code's migrations cannot serve: the API, not health, metrics or docs. */
export function needsMigratedDatabase(route: string | undefined): boolean {
  return route?.startsWith('/v1/') ?? false;
}

/**
 * Where the database did not have exactly this code's migrations at start, adds the `onRequest` hook that
 * answers API requests 503 DATABASE_NOT_MIGRATED until it has (src/database/schema-state.ts), then reads
 * a boolean. A database that matched at start needs no hook: it stays matched for this process.
 */
export function refuseUntilMigrated(app: NestFastifyApplication): void {
  const { schema } = app.get(DatabaseConnection);
  if (schema.serving) {
    return;
  }
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      if (schema.serving || !needsMigratedDatabase(request.routeOptions.url)) {
        done();
        return;
      }
      const refuse = (problem: Problem) =>
        writeProblem(reply, problem, request.url.split('?')[0], String(request.id));
      schema.refresh(RECHECK_INTERVAL_MS).then(
        (serving) => (serving ? done() : refuse(databaseNotMigrated(schema.history))),
        (error: unknown) => refuse(toProblem(error)),
      );
    });
}
