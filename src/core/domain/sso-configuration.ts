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

/** A user's identity at an upstream provider: unique by (issuer, subject). */
export interface UserIdentity {
  id: string;
  userId: string;
  issuer: string;
  subject: string;
  createdAt: Date;
}

/** A sign-in between /sso/start and /sso/callback. `id` is the SHA-256 (hex) of its `state`. */
export interface SsoSignIn {
  id: string;
  ssoConfigurationId: string;
  codeVerifier: string;
  nonce: string;
  /** A same-origin path to return to (checked at start). */
  returnTo: string;
  /** A sign-in for `envid login --sso`: the CLI's loopback redirect URI (RFC 8252 section 7.3). */
  cliRedirectUri?: string;
  /** The CLI's PKCE S256 challenge, which the one-time code is bound to. */
  cliCodeChallenge?: string;
  /** The CLI's own state, given back on the loopback redirect. */
  cliState?: string;
  /** A sign-in that completes a device authorization (`envid login --sso --no-browser`): its grant. */
  deviceGrantId?: string;
  createdAt: Date;
  expiresAt: Date;
}

export type SsoCliGrantKind = 'loopback' | 'device';
export type SsoCliGrantState = 'pending' | 'approved' | 'denied';

/**
 * What `envid login --sso` redeems at POST /sso/cli/token for a personal access token: a one-time code
 * (loopback) or a device authorization. `id` is the SHA-256 (hex) of the code or device code.
 */
export interface SsoCliGrant {
  id: string;
  kind: SsoCliGrantKind;
  ssoConfigurationId: string;
  state: SsoCliGrantState;
  userId?: string;
  codeChallenge?: string;
  redirectUri?: string;
  /** The SHA-256 (hex) of the device flow's user code. */
  userCodeHash?: string;
  /** Why the sign-in was refused (state denied). */
  refusal?: string;
  /** The device flow's last poll, for slow_down. */
  polledAt?: Date;
  createdAt: Date;
  expiresAt: Date;
}

/** A browser's session; the cookie holds the secret, this its SHA-256 (hex). */
export interface BrowserSession {
  id: string;
  userId: string;
  secretHash: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt?: Date;
}
