/** The organization's token configuration (docs/tokens.md#organization-oidc-configuration). New organizations start on V3 with no extra fields. */
export type OidcConfig = { version: 'v3'; extraSubFields: string[] } | { version: 'v2' };
