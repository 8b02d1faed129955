/**
 * An organization's SSO configuration: the upstream OpenID provider its users sign in with
 * (OrganizationService *SSOConfiguration, in @gitpod/sdk's shape, plus envid's extensions).
 */
export type SsoConfigurationState = 'active' | 'inactive';

export interface SsoConfiguration {
  id: string;
  organizationId: string;
  /** The upstream issuer, byte for byte as its discovery document names it. */
  issuerUrl: string;
  clientId: string;
  /** The client secret sealed under the master key (core/keys/encrypt-secret.ts); never answered. */
  encryptedClientSecret: string;
  /** Lower-case e-mail domains whose verified users join the organization; the first is the API's emailDomain. */
  emailDomains: string[];
  state: SsoConfigurationState;
  /** Ona's claim mapping, kept as given. */
  claims: Record<string, string>;
  /** Scopes requested beyond openid email profile. */
  additionalScopes: string[];
  /** Upstream ID token claims copied into the user's idp_claims. */
  forwardedClaims: string[];
  /** A CEL admission rule over the upstream ID token's claims as `claims`; empty admits everyone. */
  claimsExpression: string;
  createdAt: Date;
  updatedAt: Date;
}
