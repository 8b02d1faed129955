/** Forwarded SSO claims (docs/tokens.md#forwarded-sso-claims): string or string-array values only. */
export type IdpClaims = Record<string, string | string[]>;
