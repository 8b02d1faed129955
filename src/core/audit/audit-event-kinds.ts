import type { AuditEventKind } from '../domain/audit-event.ts';

/**
 * Every kind of audit event, in the order help and errors list them. Shared by the API's filter and
 * `envid audit list --kind`; pure, so the CLI may import it.
 */
export const auditEventKinds = [
  'token.issued',
  'oidc_config.updated',
  'key.created',
  'key.rotated',
  'key.removed',
  'key.revoked',
  'sso_config.created',
  'sso_config.updated',
  'sso_config.deleted',
  'audience_profile.created',
  'audience_profile.updated',
  'audience_profile.deleted',
  'sso.signed_in',
  'sso.sign_in_refused',
  'audit.retention_applied',
  'sso.cli_signed_in',
  'labels.updated',
] as const satisfies readonly AuditEventKind[];
