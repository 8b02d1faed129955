import { evaluateCel } from '../../shared/evaluate-cel.ts';
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
import { googleLimits } from './limits.ts';
import type { GoogleProviderTrust } from './trust-documents.ts';
import { readGoogleTrust } from './trust-documents.ts';

const party = 'gcp';
const algorithms = ['RS256', 'ES256'];

/**
 * Whether Google's STS would exchange `token` with this workload identity provider, in Google's
 * order: the provider enabled, `iss` equal to `oidc.issuerUri`, the algorithm, `aud` among the allowed
 * audiences (or the provider's own resource name), the time claims (iat not in the future, exp ahead,
 * a lifetime under 48 h), then the attribute mapping (`google.subject` at most 127 bytes) and the
 * attribute condition, both CEL.
 */
export function checkGoogleTrust(
  token: TokenUnderCheck,
  provider: GoogleProviderTrust,
  now: number,
): CheckVerdict {
  const iss = stringClaim(token.claims, 'iss') ?? '';
  const warnings = isLoopbackIssuer(iss) ? [loopbackWarning(iss, 'Google')] : [];
  const refuse = (refusal: Refusal) => refused(party, refusal, warnings);
  if (provider.disabled)
    return refuse({
      code: 'invalid_target',
      reason:
        'The target service indicated by the "audience" parameters is invalid: the provider is disabled or deleted',
      rule: 'provider state',
      fix: 'gcloud iam workload-identity-pools providers undelete (or update-oidc --no-disabled)',
    });
  if (iss !== provider.issuerUri)
    return refuse({
      code: 'invalid_grant',
      reason: `The issuer in ID Token [${iss}] does not match the expected issuer [${provider.issuerUri}]`,
      rule: 'oidc.issuerUri',
      ruleValue: provider.issuerUri,
      tokenValue: iss,
      fix: `set the provider's issuer to exactly ${iss}: gcloud iam workload-identity-pools providers update-oidc <provider> --issuer-uri=${iss} …`,
    });
  const alg = String(token.header['alg']);
  if (!algorithms.includes(alg) || typeof token.header['kid'] !== 'string')
    return refuse({
      code: 'invalid_grant',
      reason: 'Invalid ID Token: the signature could not be verified',
      rule: 'signing algorithm and kid',
      ruleValue: algorithms.join(', '),
      tokenValue: alg,
      fix: 'Google accepts RS256 or ES256 tokens with a kid',
    });
  const allowed =
    provider.allowedAudiences.length > 0
      ? provider.allowedAudiences
      : provider.name
        ? [`//iam.googleapis.com/${provider.name}`, `https://iam.googleapis.com/${provider.name}`]
        : undefined;
  if (allowed === undefined)
    warnings.push(
      'the provider lists no allowed audiences and its name is not known: the audience was not checked (give gcloud’s describe output, which has "name")',
    );
  else if (!audiences(token.claims).some((aud) => allowed.includes(aud)))
    return refuse({
      code: 'invalid_grant',
      reason: `The audience in ID Token [${audiences(token.claims).join(', ')}] does not match the expected audience`,
      rule:
        provider.allowedAudiences.length > 0
          ? 'oidc.allowedAudiences'
          : 'the provider’s resource name (no allowedAudiences)',
      ruleValue: closest(allowed, audienceText(token.claims)),
      tokenValue: audienceText(token.claims),
      fix: `ask envid for a token with --audience ${allowed[0]}, or add the token's aud to the provider's allowed audiences`,
    });
  const time = timeProblem(token, now, { checkIat: true, expiredAtExp: true });
  if (time)
    return refuse({
      code: 'invalid_grant',
      reason: time.rule === 'exp' ? 'ID Token expired' : 'ID Token issued in the future',
      rule: time.rule,
      ruleValue: time.ruleValue,
      tokenValue: time.tokenValue,
      comparable: false,
      fix: timeFix,
    });
  const { iat, exp } = token.claims;
  if (typeof iat === 'number' && typeof exp === 'number' && exp - iat >= googleLimits.tokenLifetimeSeconds)
    return refuse({
      code: 'invalid_grant',
      reason: 'Invalid ID Token: its lifetime (exp - iat) must be less than 48 hours',
      rule: 'exp - iat',
      ruleValue: `< ${googleLimits.tokenLifetimeSeconds} s`,
      tokenValue: `${exp - iat} s`,
      comparable: false,
      fix: 'ask for a shorter --lifetime',
    });
  if (stringClaim(token.claims, 'sub') === undefined || token.claims['sub'] === '')
    return refuse({
      code: 'invalid_grant',
      reason: 'Invalid ID Token: sub is required',
      rule: 'sub',
      fix: 'every envid token has a sub; check the token came from envid',
    });
  const mapped = mapAttributes(token, provider);
  if ('refusal' in mapped) return refuse(mapped.refusal);
  const subject = mapped.google['subject'];
  if (typeof subject !== 'string')
    return refuse({
      code: 'unauthorized_client',
      reason: "The mapped attribute 'google.subject' must be of type STRING",
      rule: `attributeMapping google.subject = ${provider.attributeMapping['google.subject']}`,
      ruleValue: 'a string',
      tokenValue: JSON.stringify(subject),
      comparable: false,
      fix: 'map google.subject to a string, e.g. "google.subject": "assertion.sub" (a comparison such as assertion.sub == "…" belongs in the attribute condition)',
    });
  const bytes = Buffer.byteLength(subject);
  if (bytes > googleLimits.subject.max)
    return refuse({
      code: 'invalid_grant',
      reason: `The size of mapped attribute google.subject exceeds the ${googleLimits.subject.max} bytes limit`,
      rule: `attributeMapping google.subject = ${provider.attributeMapping['google.subject']}`,
      ruleValue: `at most ${googleLimits.subject.max} bytes`,
      tokenValue: `${bytes} bytes: ${subject}`,
      comparable: false,
      fix: 'map google.subject to a shorter value, e.g. "google.subject": "assertion.environment_id" (or another ID claim), and keep the full sub in an attribute: "attribute.sub": "assertion.sub" is also limited, so prefer "attribute.project": "assertion.project_id"; or shorten the organization’s sub format (envid oidc-config set)',
    });
  if (provider.attributeCondition !== undefined) {
    const bindings = { assertion: token.claims, google: mapped.google, attribute: mapped.attribute };
    const result = evaluateCel(provider.attributeCondition, bindings);
    if (!result.ok || result.value !== true)
      return refuse({
        code: 'unauthorized_client',
        reason: 'The given credential is rejected by the attribute condition',
        ...explainCondition(provider.attributeCondition, bindings, result.ok ? undefined : result.error),
      });
  }
  const identity: Record<string, string> = { 'google.subject': subject };
  const pool = provider.name?.replace(/\/providers\/[^/]+$/, '');
  if (pool) identity['principal'] = `principal://iam.googleapis.com/${pool}/subject/${subject}`;
  return accepted(party, warnings, identity);
}

/** The attribute mapping evaluated over `assertion`: google.* and attribute.* values, or the refusal. */
function mapAttributes(
  token: TokenUnderCheck,
  provider: GoogleProviderTrust,
): { google: Record<string, unknown>; attribute: Record<string, unknown> } | { refusal: Refusal } {
  const google: Record<string, unknown> = {};
  const attribute: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(provider.attributeMapping)) {
    const result = evaluateCel(expression, { assertion: token.claims });
    if (!result.ok) {
      if (name !== 'google.subject') continue;
      return {
        refusal: {
          // Google answers a google.subject that is no string so; a mapping without a value is one.
          code: 'unauthorized_client',
          reason:
            'The attribute mapping google.subject could not be evaluated for this token: it must be of type STRING',
          rule: `attributeMapping google.subject = ${expression}`,
          ruleValue: expression,
          tokenValue: result.error,
          fix: 'map google.subject from a claim every token has, e.g. assertion.sub',
        },
      };
    }
    const [scope, key] = name.split(/\.(.*)/s);
    if (scope === 'google' && key) google[key] = result.value;
    else if (scope === 'attribute' && key) attribute[key] = result.value;
  }
  return { google, attribute };
}

/**
 * The rule's value and the token's for a failed condition: for the common forms (`x == "v"`,
 * `x.startsWith("v")`) the literal and the value it was compared with, else the expression itself.
 */
function explainCondition(
  expression: string,
  bindings: Record<string, unknown>,
  error: string | undefined,
): Omit<Refusal, 'code' | 'reason'> {
  const simple =
    /^\s*((?:assertion|attribute|google)(?:\.\w+)+)\s*(==|\.startsWith\()\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\)?\s*$/.exec(
      expression,
    );
  if (simple && !error) {
    const value = evaluateCel(simple[1]!, bindings);
    const literal = evaluateCel(simple[3]!, {});
    if (value.ok && literal.ok)
      return {
        rule: `attributeCondition ${simple[1]}${simple[2] === '==' ? ' ==' : '.startsWith'}`,
        ruleValue: String(literal.value),
        tokenValue: String(value.value),
        ...(simple[2] === '==' ? {} : { wildcards: '' }),
        fix: `change the attribute condition (gcloud iam workload-identity-pools providers update-oidc … --attribute-condition=…) to match ${simple[1]} = ${String(value.value)}`,
      };
  }
  return {
    rule: 'attributeCondition',
    ruleValue: expression,
    tokenValue: error ? `error: ${error}` : 'false',
    fix: 'change the attribute condition so that it is true for this token (assertion.<claim> are its claims: `envid idp token --decode`)',
  };
}

/** `envid idp check gcp`: the configuration read from the documents or flags, then checked. */
export const googleTrustCheck: TrustCheck = {
  evaluate: (token, input, now) => checkGoogleTrust(token, readGoogleTrust(input), now),
};
