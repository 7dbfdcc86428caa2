import { Logger } from '@nestjs/common';
import type pg from 'pg';

import { isDatabaseUnavailable } from './database-unavailable';
import {
  appliedMigrations,
  compareHistory,
  type Migration,
  MigrationHistory,
  readMigrations,
} from './migrator';

/** The command that applies this code's migrations to DATABASE_URL (package.json). */
export const MIGRATE_COMMAND = 'npm run db:migrate';

/** What a database's history lacks or has too much, and what to do about it, in one phrase. */
export function describeHistory({ pending, unknown }: MigrationHistory): string {
  const parts: string[] = [];
  if (pending.length > 0) {
    parts.push(`${count(pending.length)} pending (${pending.join(', ')}): run \`${MIGRATE_COMMAND}\``);
  }
  if (unknown.length > 0) {
    parts.push(
      `${count(unknown.length)} applied that this version does not know (${unknown.join(', ')}): ` +
        'a newer version migrated it; run that version or a later one',
    );
  }
  return parts.join('; ');
}

function count(n: number): string {
  return n === 1 ? '1 migration' : `${n} migrations`;
}

/**
 * Whether the database has exactly the migrations this code ships, where the service does not apply them
 * itself (PostgreSQL without DB_MIGRATE_ON_START). Requests read `serving`, a boolean; while it is false
 * they and readiness look again (one cheap query, at most once a `maxAgeMs`), so an instance serves as
 * soon as someone runs the migrations, without a restart.
 */
export class SchemaState {
  private readonly logger = new Logger('DatabaseSchema');
  /** False while the database is known, or not yet known, not to match this code's migrations. */
  serving = true;
  /** What the last look found missing or extra. */
  history: MigrationHistory = { pending: [], unknown: [] };
  private status: 'current' | 'behind' | 'unchecked' = 'current';
  private checkedAt = 0;
  private checking?: Promise<void>;
  private shipped?: Promise<Migration[]>;

  constructor(private readonly pool: pg.Pool) {}

  /** At start: compares the histories and, when they differ, says so in one line with the fix. */
  async verify(): Promise<void> {
    this.status = 'unchecked';
    this.serving = false;
    try {
      await this.refresh();
    } catch (error) {
      // The database is unreachable: requests answer DATABASE_UNAVAILABLE meanwhile, and look again.
      this.logger.warn(
        `Could not compare the database's migrations with this version's yet: ${message(error)}`,
      );
    }
  }

  /**
   * Looks at the database's history again unless it matched, or the last look is younger than
   * `maxAgeMs` (a database not yet looked at is always looked at). Resolves to `serving`; rejects when
   * the database cannot be reached.
   */
  async refresh(maxAgeMs = 0): Promise<boolean> {
    if (this.status === 'current') {
      return true;
    }
    if (this.status === 'behind' && Date.now() - this.checkedAt < maxAgeMs) {
      return false;
    }
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    await this.checking;
    return this.serving;
  }

  private async check(): Promise<void> {
    this.checkedAt = Date.now();
    let history: MigrationHistory;
    try {
      this.shipped ??= readMigrations();
      history = compareHistory(await this.shipped, await appliedMigrations(this.pool));
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        throw error;
      }
      // A check that cannot be made (no migrations folder, no right to read the history) stops nothing.
      this.logger.warn(`Cannot compare the database's migrations with this version's: ${message(error)}`);
      this.status = 'current';
      this.serving = true;
      return;
    }
    const behind = history.pending.length > 0 || history.unknown.length > 0;
    if (behind && this.status !== 'behind') {
      this.logger.error(
        `The database is not migrated: ${describeHistory(history)}. Until then readiness and every API ` +
          'request answer 503 (DATABASE_NOT_MIGRATED).',
      );
    } else if (!behind && this.status === 'behind') {
      this.logger.log('The database is migrated now: serving requests');
    }
    this.history = history;
    this.status = behind ? 'behind' : 'current';
    this.serving = !behind;
  }
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
