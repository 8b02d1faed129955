import type { AuditEvent } from '../domain/audit-event.ts';
import type { SsoConfiguration } from '../domain/sso-configuration.ts';
import type { AuditActor } from './audit-events.ts';

/** A configuration as the audit log keeps it: every field but the (sealed) client secret. */
export function auditedSsoConfiguration(config: SsoConfiguration): Record<string, unknown> {
  const { encryptedClientSecret: _secret, createdAt: _created, updatedAt: _updated, ...kept } = config;
  return kept;
}

/** The record of a created, updated or deleted SSO configuration. */
export function ssoConfigurationEvent(base: {
  id: string;
  now: Date;
  kind: 'sso_config.created' | 'sso_config.updated' | 'sso_config.deleted';
  actor: AuditActor;
  before?: SsoConfiguration;
  after?: SsoConfiguration;
  clientSecretChanged?: boolean;
}): AuditEvent {
  const config = (base.after ?? base.before) as SsoConfiguration;
  return {
    id: base.id,
    kind: base.kind,
    organizationId: config.organizationId,
    actorKind: base.actor.kind,
    ...(base.actor.id ? { actorId: base.actor.id } : {}),
    details: {
      ssoConfigurationId: config.id,
      ...(base.before ? { before: auditedSsoConfiguration(base.before) } : {}),
      ...(base.after ? { after: auditedSsoConfiguration(base.after) } : {}),
      ...(base.clientSecretChanged !== undefined ? { clientSecretChanged: base.clientSecretChanged } : {}),
    },
    createdAt: base.now,
  };
}

/** An event of a signed-in user, who is both its principal and its actor, in the configuration's organization. */
const userEvent = (
  base: { id: string; now: Date; config: SsoConfiguration; userId: string },
  kind: 'sso.signed_in' | 'sso.cli_signed_in',
  details: Record<string, unknown>,
): AuditEvent => ({
  id: base.id,
  kind,
  organizationId: base.config.organizationId,
  principalKind: 'user',
  principalId: base.userId,
  actorKind: 'user',
  actorId: base.userId,
  details: { ssoConfigurationId: base.config.id, issuer: base.config.issuerUrl, ...details },
  createdAt: base.now,
});

/** A completed SSO sign-in: the user is both principal and actor. */
export function ssoSignedInEvent(base: {
  id: string;
  now: Date;
  config: SsoConfiguration;
  userId: string;
  subject: string;
  userCreated: boolean;
  joined: boolean;
  clientAddress: string;
}): AuditEvent {
  return userEvent(base, 'sso.signed_in', {
    subject: base.subject,
    userCreated: base.userCreated,
    joined: base.joined,
    clientAddress: base.clientAddress,
  });
}

/** A refused SSO sign-in, with the reason the browser was shown. */
export function ssoSignInRefusedEvent(base: {
  id: string;
  now: Date;
  config?: SsoConfiguration;
  subject?: string;
  reason: string;
  clientAddress: string;
}): AuditEvent {
  return {
    id: base.id,
    kind: 'sso.sign_in_refused',
    ...(base.config ? { organizationId: base.config.organizationId } : {}),
    details: {
      ...(base.config ? { ssoConfigurationId: base.config.id, issuer: base.config.issuerUrl } : {}),
      ...(base.subject ? { subject: base.subject } : {}),
      reason: base.reason,
      clientAddress: base.clientAddress,
    },
    createdAt: base.now,
  };
}

/** `envid login --sso` got its personal access token: the user is both principal and actor. */
export function ssoCliSignedInEvent(base: {
  id: string;
  now: Date;
  config: SsoConfiguration;
  userId: string;
  flow: 'loopback' | 'device';
  personalAccessTokenId: string;
  clientAddress: string;
}): AuditEvent {
  return userEvent(base, 'sso.cli_signed_in', {
    flow: base.flow,
    personalAccessTokenId: base.personalAccessTokenId,
    clientAddress: base.clientAddress,
  });
}
