import type { INestApplicationContext } from '@nestjs/common';
import type { onRequestHookHandler } from 'fastify';
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
 * The `onRequest` hook that answers API requests 503 DATABASE_NOT_MIGRATED while the database does not
 * have exactly this code's migrations (src/database/schema-state.ts). Once it has, a boolean read.
 */
export function migrationGate(app: INestApplicationContext): onRequestHookHandler {
  const { schema } = app.get(DatabaseConnection);
  return (request, reply, done) => {
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
  };
}
