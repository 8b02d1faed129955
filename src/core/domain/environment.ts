import type { IdpClaims } from './idp-claims.ts';
import type { Labels } from './labels.ts';
import type { Initializer } from './project.ts';

export type EnvironmentStatus = 'running' | 'stopped' | 'deleted';
export type CreatorPrincipal = 'user' | 'service_account';

export interface Environment {
  id: string;
  organizationId: string;
  projectId?: string;
  runnerId: string;
  creatorId: string;
  creatorPrincipal: CreatorPrincipal;
  /**
   * The creator's SSO issuer and forwarded claims as they were when the environment was created (a user
   * creator signed in through SSO); its tokens carry these, not the creator's later ones.
   */
  creatorIdp?: string;
  creatorIdpClaims?: IdpClaims;
  initializers: Initializer[];
  /** Absent when it has none. */
  labels?: Labels;
  status: EnvironmentStatus;
  createdAt: Date;
}
