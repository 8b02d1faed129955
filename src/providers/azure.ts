import { ExitCode, usageError } from '../cli/exit-codes.ts';
import { explainProviderError, providerUnreachable, readTokenFacts } from './explain-error.ts';

/**
 * What envid knows about Azure Entra ID workload identity federation (docs/providers/azure.md): the
 * token exchange at the tenant's v2.0 token endpoint (client credentials with a jwt-bearer client
 * assertion), its AADSTS error codes explained, and what the Azure SDKs read.
 */
export const azureDefaultAudience = 'api://AzureADTokenExchange';
export const azureDefaultAuthorityHost = 'https://login.microsoftonline.com';
/** The scope the login's check exchange asks for: Azure Resource Manager, which `az` uses too. */
export const azureCheckScope = 'https://management.azure.com/.default';
const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const tenantDomainPattern = /^[a-z0-9][a-z0-9.-]{0,252}\.[a-z]{2,}$/i;
const requestTimeoutMs = 30_000;

/** The environment variables WorkloadIdentityCredential / DefaultAzureCredential read. */
export const azureSdkVariables = {
  clientId: 'AZURE_CLIENT_ID',
  tenantId: 'AZURE_TENANT_ID',
  tokenFile: 'AZURE_FEDERATED_TOKEN_FILE',
  authorityHost: 'AZURE_AUTHORITY_HOST',
} as const;

/**
 * What Entra would refuse in a token whatever the federated credential says (docs/providers/azure.md): not RS256,
 * no `kid`, an issuer that is not https, an issuer or subject longer than a credential can hold.
 */
export function tokenProblemsForAzure(token: string): string[] {
  const { header, claims } = decodeUnverified(token);
  const problems: string[] = [];
  if (header['alg'] !== 'RS256') problems.push(`alg is ${String(header['alg'])}; Entra accepts only RS256`);
  if (typeof header['kid'] !== 'string') problems.push('the header has no kid');
  const iss = typeof claims['iss'] === 'string' ? claims['iss'] : '';
  if (!iss.startsWith('https://')) problems.push(`iss ${iss} is not https; Entra only trusts https issuers`);
  if (iss.length > 600)
    problems.push(`iss has ${iss.length} characters; a federated credential holds at most 600`);
  const sub = typeof claims['sub'] === 'string' ? claims['sub'] : '';
  if (sub.length > 600) {
    problems.push(
      `sub has ${sub.length} characters; a federated credential holds at most 600 (shorten the organization's sub format)`,
    );
  }
  return problems;
}

/** Header and claims of a compact JWT without verification; empty objects for what cannot be read. */
export function decodeUnverified(token: string): {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
} {
  const part = (index: number) => {
    try {
      const value: unknown = JSON.parse(
        Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8'),
      );
      return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  return { header: part(0), claims: part(1) };
}

export function checkClientId(value: string, source: string): string {
  if (!guidPattern.test(value)) {
    throw usageError(
      `invalid ${source} ${JSON.stringify(value)}: must be the application (client) ID, a GUID such as 00000000-0000-0000-0000-000000000000`,
    );
  }
  return value;
}

export function checkTenantId(value: string, source: string): string {
  if (!guidPattern.test(value) && !tenantDomainPattern.test(value)) {
    throw usageError(
      `invalid ${source} ${JSON.stringify(value)}: must be the directory (tenant) ID, a GUID, or a verified domain such as contoso.onmicrosoft.com`,
    );
  }
  return value;
}

export function checkSubscriptionId(value: string, source: string): string {
  if (!guidPattern.test(value)) {
    throw usageError(`invalid ${source} ${JSON.stringify(value)}: must be a subscription ID (a GUID)`);
  }
  return value;
}

/** An https URL without path, query or trailing slash (the SDKs refuse non-https authorities). */
export function checkAuthorityHost(value: string, source = '--authority-host'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(
      `invalid ${source} ${JSON.stringify(value)}: must be an https URL such as ${azureDefaultAuthorityHost}`,
    );
  }
  if (url.protocol !== 'https:' || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw usageError(
      `invalid ${source} ${JSON.stringify(value)}: must be an https URL such as ${azureDefaultAuthorityHost}`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export interface AzureExchangeRequest {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  token: string;
  /** The audience the token was asked for (what a federated credential must list). */
  audience: string;
  scope?: string;
}

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

/** Each AADSTS code Entra answers a federated login with (and a few neighbours), explained with the token's claims. */
export function explainAzureError(request: AzureExchangeRequest, code: number, description: string) {
  const facts = readTokenFacts(request.token);
  const base = {
    provider: 'Azure (Entra ID)',
    code: Number.isNaN(code) ? 'unknown error' : `AADSTS${code}`,
    token: request.token,
    // The description's first sentence; Entra appends trace and correlation IDs after it.
    providerMessage: description.replace(/\s*(Trace ID|Correlation ID|Timestamp):.*$/s, ''),
    noticed: tokenProblemsForAzure(request.token),
  };
  const app = `application ${request.clientId} in tenant ${request.tenantId}`;
  const credential = `{"name": "envid-${facts.sub.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 60)}", "issuer": "${facts.iss}", "subject": "${facts.sub}", "audiences": ["${facts.aud}"]}`;
  const register = `az ad app federated-credential create --id ${request.clientId} --parameters '${credential}'`;
  const ficExpected = { issuer: facts.iss, subject: facts.sub, audience: facts.aud };
  switch (code) {
    case 70021:
      return explainProviderError({
        ...base,
        meaning: `no federated identity credential of ${app} matches the token's issuer, subject and audience exactly (new credentials take a few minutes to apply)`,
        expected: ficExpected,
        nextStep: `register exactly this subject (case-sensitive, no wildcards): ${register}; if you just did, wait a few minutes and run the login again`,
      });
    case 700211:
      return explainProviderError({
        ...base,
        meaning: `no federated identity credential of ${app} has the token's issuer`,
        expected: { issuer: `${facts.iss} (byte for byte, trailing slash included)` },
        nextStep: `set the credential's issuer to ${facts.iss}, or add one: ${register}`,
      });
    case 700212:
      return explainProviderError({
        ...base,
        meaning: `the federated identity credential for this issuer and subject lists another audience than the token's`,
        expected: { audience: facts.aud },
        nextStep: `set the credential's audience to ${facts.aud} (the default is ${azureDefaultAudience}), or run the login with --audience set to the credential's audience`,
      });
    case 700213:
      return explainProviderError({
        ...base,
        meaning: `no federated identity credential of ${app} for this issuer has the token's subject`,
        expected: { subject: facts.sub },
        nextStep: `register exactly this subject (case-sensitive, no wildcards): ${register}`,
      });
    case 700024:
      return explainProviderError({
        ...base,
        meaning: 'the token is outside its valid time range (nbf/exp) as Entra sees it',
        nextStep: 'check the clocks of this machine and of the envid server, then run the login again',
      });
    case 700016:
      return explainProviderError({
        ...base,
        meaning: `no application ${request.clientId} in tenant ${request.tenantId}`,
        expected: {
          'client ID': "the app registration's Application (client) ID, not its Object ID",
          tenant: 'the directory (tenant) ID the app is registered in',
        },
        nextStep: `pass --client-id with the Application (client) ID (az ad app list --display-name <name> --query "[].appId") and check --tenant-id`,
        exitCode: ExitCode.usage,
      });
    case 90002:
      return explainProviderError({
        ...base,
        meaning: `tenant ${request.tenantId} does not exist`,
        nextStep: 'pass --tenant-id with the directory (tenant) ID (az account show --query tenantId)',
        exitCode: ExitCode.usage,
      });
    case 700027:
    case 900384:
      return explainProviderError({
        ...base,
        meaning: "the token's signature did not verify with the issuer's keys",
        nextStep: `check that ${facts.iss}/.well-known/openid-configuration serves the jwks_uri of the envid server that issued the token (a proxy or a second installation with other keys?)`,
      });
    case 7000272:
      return explainProviderError({
        ...base,
        meaning: "the token's signing key (kid) is not in the issuer's metadata Entra read",
        nextStep: `check that ${facts.iss}'s JWKS lists the key (envid idp token --decode shows the kid); after a key rotation Entra may take a while to read the new JWKS`,
      });
    case 90061:
      return explainProviderError({
        ...base,
        meaning: "Entra could not fetch the issuer's discovery document or JWKS",
        nextStep: `make ${facts.iss}/.well-known/openid-configuration and its jwks_uri reachable from the internet over https, then run the login again`,
      });
    default:
      return explainProviderError({
        ...base,
        meaning: 'Entra refused the token exchange',
        nextStep: `look the code up at https://login.microsoftonline.com/error?code=${Number.isNaN(code) ? '' : code}`,
      });
  }
}
