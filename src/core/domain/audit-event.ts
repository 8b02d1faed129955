import type { PrincipalKind } from '../principal-kinds.ts';

export type AuditEventKind =
  | 'token.issued'
  | 'oidc_config.updated'
  | 'key.created'
  | 'key.rotated'
  | 'key.removed'
  | 'key.revoked'
  | 'sso_config.created'
  | 'sso_config.updated'
  | 'sso_config.deleted'
  | 'audience_profile.created'
  | 'audience_profile.updated'
  | 'audience_profile.deleted'
  | 'sso.signed_in'
  | 'sso.sign_in_refused'
  | 'audit.retention_applied'
  | 'sso.cli_signed_in'
  | 'labels.updated';

/**
 * One audit record. `principal*` names whom the event concerns (the token's principal), `actor*` who
 * caused it (absent when the server itself did, e.g. scheduled rotation). Details by kind:
 * token.issued {jti, audiences, sub, iat, exp, clientAddress, audienceProfile?: {id, name, version}}; oidc_config.updated {before, after, subChanges,
 * subChangeConfirmed}; key.* {kid, reason};
 * sso_config.* {ssoConfigurationId, before?, after?, clientSecretChanged?} (never the secret);
 * audience_profile.* {audienceProfileId, before?, after?, subChanges?, subChangeConfirmed?};
 * sso.signed_in {ssoConfigurationId, issuer, subject, userCreated, joined}; sso.sign_in_refused
 * {ssoConfigurationId?, issuer?, subject?, reason}; sso.cli_signed_in {ssoConfigurationId, flow,
 * personalAccessTokenId} (`envid login --sso`); audit.retention_applied {from, before, events, retentionDays}
 * (a month of the audit log dropped by the retention setting); labels.updated {resource, resourceId,
 * before, after} (a project's or environment's labels changed; `{}` for none).
 */
export interface AuditEvent {
  id: string;
  kind: AuditEventKind;
  organizationId?: string;
  principalKind?: PrincipalKind;
  principalId?: string;
  actorKind?: PrincipalKind;
  actorId?: string;
  details: Record<string, unknown>;
  createdAt: Date;
}
