import { createParamDecorator, ExecutionContext } from '@nestjs/common';

import type { AuthenticatedRequest, AuthUser } from '@/common/auth/auth-user';

import { AuditActorType } from './audit-actions';

export interface AuditActor {
  type: AuditActorType;
  /** The user's id, or the API key's; null for the service itself or a caller not yet known. */
  id: string | null;
}

/** Who made a change and from where: what every audit event records besides the change itself. */
export interface AuditContext {
  actor: AuditActor;
  ip: string | null;
  requestId: string | null;
}

/** An API key is the actor when it calls (its id), a person otherwise. */
export function actorOf(caller: AuthUser): AuditActor {
  return caller.kind === 'api-key'
    ? { type: AuditActorType.ApiKey, id: caller.keyId }
    : { type: AuditActorType.User, id: caller.id };
}

/** The context of a change that no request made (a job, the admin command). */
export const SYSTEM: AuditContext = {
  actor: { type: AuditActorType.System, id: null },
  ip: null,
  requestId: null,
};

/** The same request, acted on by someone else: a login names its user once it knows them. */
export function withActor(context: AuditContext, actor: AuditActor): AuditContext {
  return { ...context, actor };
}

/**
 * The audit context of the current request: its caller (an anonymous one is a `user` with no id until
 * a use case knows who it is, as a login does), address and request id.
 */
export const Audit = createParamDecorator((_data: unknown, context: ExecutionContext): AuditContext => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  return {
    actor: request.user ? actorOf(request.user) : { type: AuditActorType.User, id: null },
    ip: request.ip,
    requestId: request.id,
  };
});
