import type { SessionRecord } from './auth.repository';
import type { SessionDto } from './dto/auth.dto';

/** A session as its owner sees it; `current` marks the one the request came with. */
export function toSessionDto(session: SessionRecord, currentSessionId: string): SessionDto {
  return {
    id: session.id,
    userAgent: session.userAgent,
    ip: session.ip,
    createdAt: session.createdAt,
    lastUsedAt: session.lastUsedAt,
    expiresAt: session.expiresAt,
    current: session.id === currentSessionId,
  };
}
