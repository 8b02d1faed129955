import { providerUnreachable } from '../support/explain-error.ts';
import type { AzureExchangeRequest } from './exchange-request.ts';
import { explainAzureError } from './explain.ts';
import { azureCheckScope } from './rules.ts';

/** The token exchange at the tenant's v2.0 token endpoint (HTTP). */
const requestTimeoutMs = 30_000;

export interface AzureAccessToken {
  accessToken: string;
  expiresInSeconds: number;
}

/** The tenant's v2.0 token endpoint. */
export function azureTokenEndpoint(authorityHost: string, tenantId: string): string {
  return `${authorityHost}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
}

/** Client credentials with the envid token as jwt-bearer client assertion; a refusal throws one explained error. */
export async function exchangeAzureToken(request: AzureExchangeRequest): Promise<AzureAccessToken> {
  const endpoint = azureTokenEndpoint(request.authorityHost, request.tenantId);
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
        accept: 'application/json',
      },
      body: new URLSearchParams({
        client_id: request.clientId,
        scope: request.scope ?? azureCheckScope,
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: request.token,
      }),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
  } catch (error) {
    throw providerUnreachable('Azure (Entra ID)', endpoint, error);
  }
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: explained below with the status.
  }
  if (response.ok && typeof json['access_token'] === 'string') {
    return { accessToken: json['access_token'], expiresInSeconds: Number(json['expires_in'] ?? 0) };
  }
  const codes = Array.isArray(json['error_codes']) ? json['error_codes'] : [];
  const description = typeof json['error_description'] === 'string' ? json['error_description'] : '';
  const code = Number(codes[0] ?? /AADSTS(\d+)/.exec(description)?.[1] ?? Number.NaN);
  throw explainAzureError(request, code, description || `HTTP ${response.status} ${text.slice(0, 200)}`);
}
