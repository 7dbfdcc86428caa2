/**
 * What the audit log records: one action per kind of change (docs/api/administration.md).
 * The values are part of the contract (the `action` filter and field); a new one is an addition.
 */
export enum AuditAction {
  LoginSucceeded = 'auth.login.succeeded',
  LoginFailed = 'auth.login.failed',
  Logout = 'auth.logout',
  PasswordChanged = 'auth.password.changed',
  PasswordReset = 'auth.password.reset',
  SessionRevoked = 'auth.session.revoked',
  RoleChanged = 'user.role.changed',
  UserSuspended = 'user.suspended',
  UserUnsuspended = 'user.unsuspended',
  ApiKeyCreated = 'api-key.created',
  ApiKeyRevoked = 'api-key.revoked',
  WebhookCreated = 'webhook.created',
  WebhookChanged = 'webhook.changed',
  WebhookDeleted = 'webhook.deleted',
  MemberAdded = 'member.added',
  MemberChanged = 'member.changed',
  MemberRemoved = 'member.removed',
  ReportResolved = 'report.resolved',
  PostDeleted = 'post.deleted',
  PostUnhidden = 'post.unhidden',
}

export const AUDIT_ACTIONS = Object.values(AuditAction);

/** What an event is about. */
export enum AuditTargetType {
  User = 'user',
  Session = 'session',
  ApiKey = 'api-key',
  Webhook = 'webhook',
  Account = 'account',
  Report = 'report',
  Post = 'post',
}

/** Who acted: a signed-in person, an integrator's API key, or the service itself (a job, the CLI). */
export enum AuditActorType {
  User = 'user',
  ApiKey = 'api-key',
  System = 'system',
}
