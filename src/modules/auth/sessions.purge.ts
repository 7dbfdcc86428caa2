import { Injectable, OnModuleInit } from '@nestjs/common';

import { Purges } from '@/jobs/purge/purges';

import { AuthRepository } from './auth.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How long a revoked session is kept: a week of answers to "which session was that, from where" for
 * support and incident questions. Its tokens stopped working when it was revoked (the session check
 * refuses a revoked session as it does a missing one), so the row serves nothing else.
 */
export const REVOKED_SESSION_RETENTION_MS = 7 * DAY_MS;

/** Has the scheduled purge delete sessions past their expiry or revoked over the retention ago. */
@Injectable()
export class SessionsPurge implements OnModuleInit {
  constructor(
    private readonly purges: Purges,
    private readonly sessions: AuthRepository,
  ) {}

  onModuleInit(): void {
    this.purges.register('sessions', (now, limit) =>
      this.sessions.deleteDeadSessions(now, new Date(now.getTime() - REVOKED_SESSION_RETENTION_MS), limit),
    );
  }
}
