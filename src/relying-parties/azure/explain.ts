import { ExitCode } from '../../shared/exit-codes.ts';
import { explainProviderError, readTokenFacts } from '../support/explain-error.ts';
import type { AzureExchangeRequest } from './exchange-request.ts';
import { azureDefaultAudience, tokenProblemsForAzure } from './rules.ts';

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
  // Entra names no credential it compared with: what one must hold for this token, from the token.
  const credentialRule = (values: Record<string, string>, holder = `a federated credential of ${app}`) => ({
    holder,
    values,
  });
  switch (code) {
    case 70021:
      return explainProviderError({
        ...base,
        meaning: `no federated identity credential of ${app} matches the token's issuer, subject and audience exactly (new credentials take a few minutes to apply)`,
        rule: credentialRule({ issuer: facts.iss, subject: facts.sub, audience: facts.aud }),
        nextStep: `register exactly this subject (case-sensitive, no wildcards): ${register}; if you just did, wait a few minutes and run the login again`,
      });
    case 700211:
      return explainProviderError({
        ...base,
        meaning: `no federated identity credential of ${app} has the token's issuer`,
        rule: credentialRule({ issuer: `${facts.iss} (byte for byte, trailing slash included)` }),
        nextStep: `set the credential's issuer to ${facts.iss}, or add one: ${register}`,
      });
    case 700212:
      return explainProviderError({
        ...base,
        meaning: `the federated identity credential for this issuer and subject lists another audience than the token's`,
        rule: credentialRule({ audience: facts.aud }, 'the federated credential for this issuer and subject'),
        nextStep: `set the credential's audience to ${facts.aud} (the default is ${azureDefaultAudience}), or run the login with --audience set to the credential's audience`,
      });
    case 700213:
      return explainProviderError({
        ...base,
        meaning: `no federated identity credential of ${app} for this issuer has the token's subject`,
        rule: credentialRule(
          { subject: `${facts.sub} (case-sensitive, no wildcards)` },
          `a federated credential of ${app} for this issuer`,
        ),
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
