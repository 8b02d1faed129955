import { readUnverifiedJwt } from '../../core/tokens/unverified-jwt.ts';
import { usageError } from '../../shared/exit-codes.ts';
import { azureLimits } from './limits.ts';

/**
 * What envid knows about Azure Entra ID workload identity federation (docs/providers/azure.md): what it
 * checks in a token and in the login's settings, and what the Azure SDKs read. The token exchange at
 * the tenant's v2.0 token endpoint is in exchange.ts, its AADSTS error codes explained in explain.ts.
 */
export const azureDefaultAudience = 'api://AzureADTokenExchange';
export const azureDefaultAuthorityHost = 'https://login.microsoftonline.com';
/** The scope the login's check exchange asks for: Azure Resource Manager, which `az` uses too. */
export const azureCheckScope = 'https://management.azure.com/.default';
const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const tenantDomainPattern = /^[a-z0-9][a-z0-9.-]{0,252}\.[a-z]{2,}$/i;

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
  const { header = {}, claims = {} } = readUnverifiedJwt(token);
  const problems: string[] = [];
  if (header['alg'] !== 'RS256') problems.push(`alg is ${String(header['alg'])}; Entra accepts only RS256`);
  if (typeof header['kid'] !== 'string') problems.push('the header has no kid');
  const iss = typeof claims['iss'] === 'string' ? claims['iss'] : '';
  if (!iss.startsWith('https://')) problems.push(`iss ${iss} is not https; Entra only trusts https issuers`);
  if (iss.length > azureLimits.issuer.max)
    problems.push(
      `iss has ${iss.length} characters; a federated credential holds at most ${azureLimits.issuer.max}`,
    );
  const sub = typeof claims['sub'] === 'string' ? claims['sub'] : '';
  if (sub.length > azureLimits.subject.max) {
    problems.push(
      `sub has ${sub.length} characters; a federated credential holds at most ${azureLimits.subject.max} (shorten the organization's sub format)`,
    );
  }
  return problems;
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
