import type { TrustCheck } from '../relying-party.ts';
import {
  accepted,
  audiences,
  audienceText,
  type CheckVerdict,
  closest,
  type Refusal,
  refused,
  stringClaim,
  type TokenUnderCheck,
} from '../support/check-verdict.ts';
import { isLoopbackIssuer, loopbackWarning } from '../support/loopback-issuer.ts';
import { timeFix, timeProblem } from '../support/token-times.ts';
import type { VaultTrust } from './trust-documents.ts';
import { readVaultTrust } from './trust-documents.ts';

const party = 'vault';

/**
 * Whether Vault's JWT auth method would log `token` in with this config and role, in
 * vault-plugin-auth-jwt's order: a jwt role, the issuer (oidc_discovery_url, or bound_issuer with
 * static keys), RS256, exp/nbf with clock_skew_leeway, then bound_subject, bound_audiences (a token with
 * aud needs some), bound_claims (exact, or glob with `*`), and user_claim. Codes are Vault's messages.
 */
export function checkVaultTrust(token: TokenUnderCheck, trust: VaultTrust, now: number): CheckVerdict {
  const { config, role } = trust;
  const iss = stringClaim(token.claims, 'iss') ?? '';
  const warnings = isLoopbackIssuer(iss) ? [loopbackWarning(iss, 'a remote Vault')] : [];
  const refuse = (refusal: Refusal) => refused(party, refusal, warnings);
  if (role.roleType !== 'jwt')
    return refuse({
      code: 'role with oidc role_type is not allowed',
      reason: 'a login with a token needs role_type=jwt',
      rule: `role ${role.name} role_type`,
      ruleValue: role.roleType,
      tokenValue: 'jwt',
      fix: `vault write auth/<mount>/role/${role.name} role_type=jwt …`,
    });
  const issuerRule = config.oidcDiscoveryUrl ?? config.boundIssuer;
  if (issuerRule !== undefined && iss !== issuerRule)
    return refuse({
      code: config.oidcDiscoveryUrl
        ? `oidc: id token issued by a different provider, expected "${issuerRule}" got "${iss}"`
        : 'validation failed, invalid issuer claim (iss)',
      reason: 'the token’s iss is not the issuer the auth method trusts',
      rule: config.oidcDiscoveryUrl ? 'config oidc_discovery_url' : 'config bound_issuer',
      ruleValue: issuerRule,
      tokenValue: iss,
      fix: `vault write auth/<mount>/config ${config.oidcDiscoveryUrl ? 'oidc_discovery_url' : 'bound_issuer'}=${iss} (exactly the token's iss, trailing slash included)`,
    });
  if (token.header['alg'] !== 'RS256')
    return refuse({
      code: 'failed to verify id token signature',
      reason: 'the auth method verifies RS256 (jwt_supported_algs default)',
      rule: 'jwt_supported_algs',
      ruleValue: 'RS256',
      tokenValue: String(token.header['alg']),
      fix: 'envid signs with RS256; check the token came from envid',
    });
  const time = timeProblem(token, now, { leewaySeconds: role.clockSkewLeeway });
  if (time)
    return refuse({
      code: time.rule === 'exp' ? 'token is expired' : 'token not valid yet',
      reason: `the token is outside its time range (clock_skew_leeway ${role.clockSkewLeeway} s)`,
      rule: time.rule,
      ruleValue: time.ruleValue,
      tokenValue: time.tokenValue,
      comparable: false,
      fix: timeFix,
    });
  const sub = stringClaim(token.claims, 'sub') ?? '';
  if (role.boundSubject !== undefined && sub !== role.boundSubject)
    return refuse({
      code: 'sub claim does not match bound subject',
      reason: 'bound_subject is compared exactly',
      rule: `role ${role.name} bound_subject`,
      ruleValue: role.boundSubject,
      tokenValue: sub,
      fix: `vault write auth/<mount>/role/${role.name} bound_subject=${sub} (or bound_claims_type=glob with bound_claims={"sub": "<prefix>*"})`,
    });
  const auds = audiences(token.claims);
  if (auds.length > 0 && role.boundAudiences.length === 0)
    return refuse({
      code: 'audience claim found in JWT but no audiences bound to the role',
      reason: 'a token with aud needs a role with bound_audiences',
      rule: `role ${role.name} bound_audiences`,
      ruleValue: '(empty)',
      tokenValue: audienceText(token.claims),
      fix: `vault write auth/<mount>/role/${role.name} bound_audiences=${auds[0]}`,
    });
  if (role.boundAudiences.length > 0 && !auds.some((aud) => role.boundAudiences.includes(aud)))
    return refuse({
      code: 'audience claim does not match any expected audience',
      reason: 'the token’s aud is not among bound_audiences',
      rule: `role ${role.name} bound_audiences`,
      ruleValue: closest(role.boundAudiences, audienceText(token.claims)),
      tokenValue: audienceText(token.claims),
      fix: `ask envid for a token with --audience ${role.boundAudiences[0]}, or add ${auds[0] ?? 'it'} to bound_audiences`,
    });
  for (const [name, wanted] of Object.entries(role.boundClaims)) {
    const actual = claimAt(token.claims, name);
    if (actual === undefined)
      return refuse({
        code: `claim "${name}" is missing`,
        reason: 'a bound claim the token does not carry',
        rule: `role ${role.name} bound_claims.${name}`,
        ruleValue: wanted.join(', '),
        tokenValue: '(not in the token)',
        fix: `bind a claim envid tokens carry (\`envid idp token --audience … --decode\` lists them)`,
      });
    const values = (Array.isArray(actual) ? actual : [actual]).map(String);
    const glob = role.boundClaimsType === 'glob';
    const matches = values.some((value) =>
      wanted.some((pattern) => (glob ? vaultGlob(pattern, value) : pattern === value)),
    );
    if (!matches) {
      const tokenValue = values.length === 1 ? values[0]! : JSON.stringify(values);
      return refuse({
        code: `claim "${name}" does not match any associated bound claim values`,
        reason: glob
          ? 'bound claims are globs (`*` matches any run of characters)'
          : 'bound claims are compared exactly (bound_claims_type=string)',
        rule: `role ${role.name} bound_claims.${name}${glob ? ' (glob)' : ''}`,
        ruleValue: closest(wanted, tokenValue),
        tokenValue,
        wildcards: glob ? '*' : '',
        fix: `make bound_claims.${name} match ${tokenValue}${glob ? '' : ' (bound_claims_type=glob accepts * for a prefix)'}`,
      });
    }
  }
  const alias = token.claims[role.userClaim];
  if (alias === undefined)
    return refuse({
      code: `claim "${role.userClaim}" not found in token`,
      reason: 'user_claim names the entity alias; the token must carry it',
      rule: `role ${role.name} user_claim`,
      ruleValue: role.userClaim,
      fix: `vault write auth/<mount>/role/${role.name} user_claim=sub`,
    });
  if (typeof alias !== 'string')
    return refuse({
      code: `claim "${role.userClaim}" could not be converted to string`,
      reason: 'user_claim must name a string claim',
      rule: `role ${role.name} user_claim`,
      ruleValue: role.userClaim,
      fix: `vault write auth/<mount>/role/${role.name} user_claim=sub`,
    });
  return accepted(party, warnings, { role: role.name, alias });
}

/** Vault reads a bound claim by name, or by JSON pointer (`/a/b`) into nested claims. */
function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (!name.startsWith('/')) return claims[name];
  let value: unknown = claims;
  for (const part of name.slice(1).split('/')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Vault's glob: `*` matches any run of characters; nothing else is special. */
export function vaultGlob(pattern: string, value: string): boolean {
  const parts = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 's').test(value);
}

/** `envid idp check vault`: the configuration read from the documents or flags, then checked. */
export const vaultTrustCheck: TrustCheck = {
  evaluate: (token, input, now) => checkVaultTrust(token, readVaultTrust(input), now),
};
