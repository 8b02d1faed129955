/** The organization's token configuration (docs/tokens.md#organization-oidc-configuration). New organizations start on V3 with no extra fields. */
export type OidcConfig =
  | {
      version: 'v3';
      extraSubFields: string[];
      /** Tokens carry `project_labels` and `environment_labels`; absent (not false) when they do not. */
      labelClaims?: true;
    }
  | { version: 'v2' };
