import type { PrincipalKind } from '../core/principal-kinds.ts';

/**
 * Records kept by the store. Field names are the API's (camelCase); the SQL layer maps them to columns.
 * Optional fields are absent (never empty strings) when unknown. The domain types core reasons about are
 * core's (src/core/domain); the store keeps them and re-exports them for its callers.
 */

import type { AudienceProfile } from '../core/domain/audience-profile.ts';
import type { AuditEvent } from '../core/domain/audit-event.ts';
import type { Environment } from '../core/domain/environment.ts';
import type { OidcConfig } from '../core/domain/oidc-config.ts';
import type { Project } from '../core/domain/project.ts';
import type { PublicJwk, SigningAlgorithm } from '../core/domain/public-jwk.ts';
import type { Runner } from '../core/domain/runner.ts';
import type { ServiceAccount } from '../core/domain/service-account.ts';
import type {
  BrowserSession,
  SsoCliGrant,
  SsoConfiguration,
  SsoSignIn,
  UserIdentity,
} from '../core/domain/sso-configuration.ts';
import type { User } from '../core/domain/user.ts';

export type { AudienceProfile, ExtraClaim, SigningAlgorithm } from '../core/domain/audience-profile.ts';
export type { AuditEvent, AuditEventKind } from '../core/domain/audit-event.ts';
export type { CreatorPrincipal, Environment, EnvironmentStatus } from '../core/domain/environment.ts';
export type { OidcConfig } from '../core/domain/oidc-config.ts';
export type { Initializer, Project } from '../core/domain/project.ts';
export type { PublicJwk } from '../core/domain/public-jwk.ts';
export type { Runner } from '../core/domain/runner.ts';
export type { ServiceAccount } from '../core/domain/service-account.ts';
export type {
  BrowserSession,
  SsoCliGrant,
  SsoCliGrantKind,
  SsoCliGrantState,
  SsoConfiguration,
  SsoConfigurationState,
  SsoSignIn,
  UserIdentity,
} from '../core/domain/sso-configuration.ts';
export type { User } from '../core/domain/user.ts';
/** Who a credential authenticates (declared with the kinds: core/principal-kinds.ts). */
export type { PrincipalKind } from '../core/principal-kinds.ts';

export type OrganizationRole = 'admin' | 'member';

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

/**
 * A token signing key (docs/tokens.md#lifecycle). Lifecycle next -> current -> retired; a removed or revoked key's row is
 * deleted (the audit log keeps its history). Satisfies src/core/keys/plan-rotation.ts RotationKey.
 */
export interface SigningKey {
  /** The `kid`: RFC 7638 thumbprint of the public key. */
  id: string;
  state: SigningKeyState;
  algorithm: SigningAlgorithm;
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

/**
 * What every server sharing the database must agree on (one record, installationSettingsId), recorded
 * by the first server to start (docs/decisions/0198-replicas-and-workers.md).
 */
export interface InstallationSettings {
  id: string;
  /** Absent: the first server advertised its own address (no ENVID_ISSUER). */
  issuer?: string;
  /** The master key's public ID (MasterKey.id), never the key. */
  masterKeyId: string;
  keyBits: number;
  keyRotationDays: number;
  createdAt: Date;
  updatedAt: Date;
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
  ssoConfigurations: SsoConfiguration;
  userIdentities: UserIdentity;
  ssoSignIns: SsoSignIn;
  browserSessions: BrowserSession;
  installationSettings: InstallationSettings;
  audienceProfiles: AudienceProfile;
  ssoCliGrants: SsoCliGrant;
}
