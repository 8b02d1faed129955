import type { AwsSessionTags } from '../tokens/aws-session-tags.ts';
import type { OidcConfig } from './oidc-config.ts';

export const signingAlgorithms = ['RS256', 'ES256'] as const;
export type SigningAlgorithm = (typeof signingAlgorithms)[number];

/** A claim a profile adds to its tokens: the value of a sub field of the principal, or a fixed text. */
export type ExtraClaim = { name: string; from: string } | { name: string; value: string };

/**
 * How tokens for some audiences are shaped (docs/tokens.md#audience-profiles). An audience that no
 * profile matches gets the organization's OIDC configuration: that is the default profile.
 */
export interface AudienceProfileSettings {
  /** Unique in the organization; what errors and previews call the profile. */
  name: string;
  /** Exact audiences or patterns with `*` (docs/tokens.md#audience-profiles). */
  audiences: string[];
  /** The `sub` fields, in the OIDC configuration's form. */
  oidcConfig: OidcConfig;
  /** The default and the longest lifetime of this profile's tokens. */
  lifetimeSeconds: number;
  signingAlgorithm: SigningAlgorithm;
  extraClaims: ExtraClaim[];
  /** AWS session tags its tokens carry (the https://aws.amazon.com/tags claim); none when absent. */
  awsSessionTags?: AwsSessionTags;
}

export interface AudienceProfile extends AudienceProfileSettings {
  id: string;
  organizationId: string;
  /** Grows by one on every update: part of the token cache's key, so a changed profile is seen at once. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}
