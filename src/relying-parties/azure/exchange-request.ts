/** What an Entra ID token exchange sends, and what its refusal is explained with (explain.ts). */
export interface AzureExchangeRequest {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  token: string;
  /** The audience the token was asked for (what a federated credential must list). */
  audience: string;
  scope?: string;
}
