import type { TrustCheck } from '../relying-party.ts';
import {
  accepted,
  audiences,
  audienceText,
  type CheckVerdict,
  closest,
  refused,
  stringClaim,
  type TokenUnderCheck,
} from '../support/check-verdict.ts';
import { isLoopbackIssuer, loopbackWarning } from '../support/loopback-issuer.ts';
import { timeFix, timeProblem } from '../support/token-times.ts';
import type { AzureFederatedCredential } from './trust-documents.ts';
import { readAzureTrust } from './trust-documents.ts';

const party = 'azure';

/**
 * Whether Entra ID would accept `token` as a client assertion for an application with these federated
 * credentials, in Entra's order: a credential whose issuer, then subject, then audience matches
 * exactly (case-sensitive, no wildcards), then RS256 with a `kid`, then the time range. Each refusal
 * has the AADSTS code Entra answers.
 */
export function checkAzureTrust(
  token: TokenUnderCheck,
  credentials: readonly AzureFederatedCredential[],
  now: number,
): CheckVerdict {
  const iss = stringClaim(token.claims, 'iss') ?? '';
  const sub = stringClaim(token.claims, 'sub') ?? '';
  const auds = audiences(token.claims);
  const warnings = isLoopbackIssuer(iss) ? [loopbackWarning(iss, 'Entra ID')] : [];
  const refuse = (refusal: Parameters<typeof refused>[1]) => refused(party, refusal, warnings);
  if (credentials.length === 0)
    return refuse({
      code: 'AADSTS70021',
      reason: 'No matching federated identity record found for presented assertion',
      rule: 'federated credentials',
      ruleValue: '(none)',
      fix: 'create one: `envid idp trust azure` prints it with the az command',
    });
  const byIssuer = credentials.filter((credential) => credential.issuer === iss);
  if (byIssuer.length === 0) {
    const near = nearest(credentials, (credential) => credential.issuer, iss);
    return refuse({
      code: 'AADSTS700211',
      reason: 'No matching federated identity record found for presented assertion issuer',
      rule: `federated credential "${near.name}" issuer`,
      ruleValue: near.issuer,
      tokenValue: iss,
      fix: `set the credential's issuer to exactly ${iss} (byte for byte, trailing slash included)`,
    });
  }
  const bySubject = byIssuer.filter((credential) => credential.subject === sub);
  if (bySubject.length === 0) {
    const near = nearest(byIssuer, (credential) => credential.subject, sub);
    return refuse({
      code: 'AADSTS700213',
      reason: 'No matching federated identity record found for presented assertion subject',
      rule: `federated credential "${near.name}" subject`,
      ruleValue: near.subject,
      tokenValue: sub,
      fix: `set the credential's subject to exactly the token's sub (case-sensitive): az ad app federated-credential update --id <app id> --federated-credential-id ${near.name} --parameters '{"subject": "${sub}"}'`,
    });
  }
  const matching = bySubject.filter((credential) => auds.includes(credential.audiences[0]!));
  if (matching.length === 0) {
    const near = bySubject[0]!;
    return refuse({
      code: 'AADSTS700212',
      reason: 'No matching federated identity record found for presented assertion audience',
      rule: `federated credential "${near.name}" audiences`,
      ruleValue: near.audiences[0]!,
      tokenValue: audienceText(token.claims),
      fix: `ask envid for a token with --audience ${near.audiences[0]} (or set the credential's audience to ${auds[0] ?? 'the token’s aud'})`,
    });
  }
  if (token.header['alg'] !== 'RS256' || typeof token.header['kid'] !== 'string')
    return refuse({
      code: 'AADSTS700027',
      reason: 'Client assertion failed signature validation',
      rule: 'RS256 with a kid',
      ruleValue: 'RS256',
      tokenValue: `${String(token.header['alg'])}${typeof token.header['kid'] === 'string' ? '' : ' without kid'}`,
      fix: 'Entra accepts only RS256 tokens with a kid from the issuer’s JWKS',
    });
  const time = timeProblem(token, now, { expiredAtExp: true });
  if (time)
    return refuse({
      code: 'AADSTS700024',
      reason: 'Client assertion is not within its valid time range',
      rule: time.rule,
      ruleValue: time.ruleValue,
      tokenValue: time.tokenValue,
      comparable: false,
      fix: timeFix,
    });
  return accepted(party, warnings, { federatedCredential: matching[0]!.name });
}

function nearest(
  credentials: readonly AzureFederatedCredential[],
  field: (credential: AzureFederatedCredential) => string,
  value: string,
): AzureFederatedCredential {
  const best = closest(credentials.map(field), value);
  return credentials.find((credential) => field(credential) === best) ?? credentials[0]!;
}

/** `envid idp check azure`: the configuration read from the documents or flags, then checked. */
export const azureTrustCheck: TrustCheck = {
  evaluate: (token, input, now) => checkAzureTrust(token, readAzureTrust(input), now),
};
