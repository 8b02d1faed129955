import type { PrincipalKind } from '../core/principal-kinds.ts';

/**
 * Records kept by the store. Field names are the API's (camelCase); the SQL layer maps them to columns.
 * Optional fields are absent (never empty strings) when unknown.
 */

export type OrganizationRole = 'admin' | 'member';

/** The organization's token configuration (docs/tokens.md#organization-oidc-configuration). New organizations start on V3 with no extra fields. */
export type OidcConfig = { version: 'v3'; extraSubFields: string[] } | { version: 'v2' };

export interface Organization {
  id: string;
  name: string;
  oidcConfig: OidcConfig;
  /**
   * E-mail domains (lower case) whose users, with a verified address, may join by themselves
   * (JoinOrganization {organizationId}). Absent when there are none, never an empty list.
   */
  inviteDomains?: string[];
  createdAt: Date;
}

export interface User {
  id: string;
  email: string;
  name: string;
  /**
   * Whether the address is known to be the user's: true for users the installation admin creates (the
   * admin vouches for it); SSO sets it from the upstream `email_verified`. Only a verified address
   * joins an organization by its domain.
   */
  emailVerified: boolean;
  /** Upstream SSO issuer URL, when signed in through SSO. */
  idp?: string;
  /** Forwarded SSO claims (string or string-array values). */
  idpClaims?: Record<string, string | string[]>;
  createdAt: Date;
}

export interface Membership {
  id: string;
  organizationId: string;
  userId: string;
  role: OrganizationRole;
  createdAt: Date;
}

/**
 * An organization's invite: whoever knows its ID may join the organization as a member until it expires
 * or is replaced. An organization has at most one (a new one replaces the old). The ID is a capability:
 * answered only to the organization's admins, never logged.
 */
export interface OrganizationInvite {
  id: string;
  organizationId: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface ServiceAccount {
  id: string;
  organizationId: string;
  name: string;
  createdAt: Date;
}

export interface Runner {
  id: string;
  organizationId: string;
  name: string;
  createdAt: Date;
}

/** One environment initializer (docs/api.md#projectservice): a git source and/or a context URL. */
export interface Initializer {
  git?: { remoteUri?: string; upstreamRemoteUri?: string };
  contextUrl?: string;
}

export interface Project {
  id: string;
  organizationId: string;
  name: string;
  initializers: Initializer[];
  createdAt: Date;
}

export type EnvironmentStatus = 'running' | 'stopped' | 'deleted';
export type CreatorPrincipal = 'user' | 'service_account';

export interface Environment {
  id: string;
  organizationId: string;
  projectId?: string;
  runnerId: string;
  creatorId: string;
  creatorPrincipal: CreatorPrincipal;
  initializers: Initializer[];
  status: EnvironmentStatus;
  createdAt: Date;
}

/** Who a credential authenticates (declared with the kinds: core/principal-kinds.ts). */
export type { PrincipalKind };

export interface Credential {
  id: string;
  principalKind: PrincipalKind;
  /** The principal's ID; absent for the installation admin. */
  principalId?: string;
  /**
   * The organization the credential acts in. A personal access token is bound to one of its user's
   * organizations; absent for the installation admin and for a user's account-level token, which acts in
   * no organization (it only joins and leaves organizations and creates tokens for them).
   */
  organizationId?: string;
  /** SHA-256 of the whole secret, hex. The secret itself is never stored. */
  secretHash: string;
  description: string;
  createdAt: Date;
  expiresAt?: Date;
  revokedAt?: Date;
}

export type SigningKeyState = 'next' | 'current' | 'retired';

/** The public half of a signing key, exactly as the JWKS publishes it (no private member, ever). */
export interface PublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

/**
 * A token signing key (docs/tokens.md#lifecycle). Lifecycle next -> current -> retired; a removed or revoked key's row is
 * deleted (the audit log keeps its history). Satisfies src/core/keys/plan-rotation.ts RotationKey.
 */
export interface SigningKey {
  /** The `kid`: RFC 7638 thumbprint of the public key. */
  id: string;
  state: SigningKeyState;
  algorithm: 'RS256';
  publicJwk: PublicJwk;
  /** AES-256-GCM under the master key (src/core/keys/encrypt-key.ts); never the key in the clear. */
  encryptedPrivateKey: string;
  createdAt: Date;
  /** When it entered the JWKS (its creation). */
  publishedAt: Date;
  /** When it started signing. */
  activatedAt?: Date;
  /** When it stopped signing. */
  retiredAt?: Date;
}

export type AuditEventKind =
  | 'token.issued'
  | 'oidc_config.updated'
  | 'key.created'
  | 'key.rotated'
  | 'key.removed'
  | 'key.revoked';

/**
 * One audit record. `principal*` names whom the event concerns (the token's principal), `actor*` who
 * caused it (absent when the server itself did, e.g. scheduled rotation). Details by kind:
 * token.issued {jti, audiences, sub, iat, exp, clientAddress}; oidc_config.updated {before, after, subChanges,
 * subChangeConfirmed}; key.* {kid, reason}.
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

/** Every record kind the store keeps, by collection name. */
export interface Records {
  organizations: Organization;
  users: User;
  memberships: Membership;
  organizationInvites: OrganizationInvite;
  serviceAccounts: ServiceAccount;
  runners: Runner;
  projects: Project;
  environments: Environment;
  credentials: Credential;
  signingKeys: SigningKey;
  auditEvents: AuditEvent;
}
