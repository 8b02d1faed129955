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
import { awsLimits } from './limits.ts';
import {
  type AwsTrust,
  type IamCondition,
  type IamStatement,
  providerOfArn,
  readAwsTrust,
} from './trust-documents.ts';

const party = 'aws';
const algorithms = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];
/** The claims STS puts in the request context as `<provider>:<claim>` (custom claims are not usable). */
const contextClaims = ['sub', 'aud', 'amr', 'azp', 'oaud'];

/**
 * Whether STS AssumeRoleWithWebIdentity would accept `token` for a role with this trust, in STS's
 * order: the token's length, an IAM OIDC provider whose URL is the token's `iss` (https, no port),
 * `aud` among its client IDs, the algorithm, the time range, then the trust policy: an Allow
 * statement for the provider's ARN and sts:AssumeRoleWithWebIdentity whose conditions all hold (no
 * Deny statement matching).
 */
export function checkAwsTrust(token: TokenUnderCheck, trust: AwsTrust, now: number): CheckVerdict {
  const iss = stringClaim(token.claims, 'iss') ?? '';
  const loopback = isLoopbackIssuer(iss);
  const warnings = loopback ? [loopbackWarning(iss, 'STS')] : [];
  const refuse = (refusal: Refusal) => refused(party, refusal, warnings);
  const { min, max } = awsLimits.tokenLength;
  if (token.length < min || token.length > max)
    return refuse({
      code: 'ValidationError',
      reason: `webIdentityToken must be ${min} to ${max} characters`,
      rule: 'WebIdentityToken length',
      ruleValue: `${min}-${max}`,
      tokenValue: String(token.length),
      comparable: false,
      fix: 'shorten the token: fewer audiences or a shorter sub format',
    });
  const issuerForm = loopback ? undefined : issuerFormProblem(iss);
  if (issuerForm)
    return refuse({
      code: 'InvalidIdentityToken',
      reason: `No OpenIDConnect provider found in your account for ${iss}: ${issuerForm}`,
      rule: 'IAM OIDC provider URL',
      tokenValue: iss,
      fix: 'give envid a public https issuer without a port (`envid serve --issuer https://envid.example.com`, behind a proxy on 443), then create the IAM OIDC provider for it',
    });
  const name = iss.replace(/^https?:\/\//, '');
  const provider = trust.providers.find((candidate) => candidate.url === name);
  if (!provider)
    return refuse({
      code: 'InvalidIdentityToken',
      reason: `No OpenIDConnect provider found in your account for ${iss}`,
      rule: 'IAM OIDC provider URL',
      ruleValue: closest(
        trust.providers.map((candidate) => candidate.url),
        name,
      ),
      tokenValue: name,
      fix: `the provider URL must be the token's iss exactly (trailing slash included): aws iam create-open-id-connect-provider --url ${iss} --client-id-list ${audiences(token.claims)[0] ?? '<aud>'}`,
    });
  const clientIds = provider.clientIds ?? policyAudiences(trust, name);
  if (provider.clientIds === undefined)
    warnings.push(
      `the IAM OIDC provider's client ID list was not given (add \`aws iam get-open-id-connect-provider\` output with --config); the trust policy's aud values stand in for it`,
    );
  const aud = audiences(token.claims).find((value) => clientIds.includes(value));
  if (aud === undefined)
    return refuse({
      code: 'InvalidIdentityToken',
      reason: 'Incorrect token audience',
      rule: `IAM OIDC provider ${name} ClientIDList`,
      ruleValue: closest(clientIds, audienceText(token.claims)) ?? '(empty)',
      tokenValue: audienceText(token.claims),
      fix: `ask envid for a token with a registered client ID (--audience), or add one: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn arn:aws:iam::<account>:oidc-provider/${name} --client-id ${audiences(token.claims)[0] ?? '<aud>'}`,
    });
  const alg = String(token.header['alg']);
  if (!algorithms.includes(alg))
    return refuse({
      code: 'InvalidIdentityToken',
      reason: 'The web identity token that was passed could not be validated by AWS',
      rule: 'signing algorithm',
      ruleValue: algorithms.join(', '),
      tokenValue: alg,
      fix: 'envid signs with RS256; check the token came from envid',
    });
  const time = timeProblem(token, now, { expiredAtExp: true });
  if (time)
    return refuse({
      code: 'ExpiredTokenException',
      reason: 'Token expired (or not yet valid)',
      rule: time.rule,
      ruleValue: time.ruleValue,
      tokenValue: time.tokenValue,
      comparable: false,
      fix: timeFix,
    });
  const context = requestContext(token, name, aud);
  for (const statement of trust.statements)
    for (const condition of statement.conditions) {
      const claim = condition.key.toLowerCase().split(':').pop() ?? '';
      if (!contextClaims.includes(claim))
        warnings.push(
          `Statement[${statement.index}] condition key ${condition.key}: STS puts only ${contextClaims.join(', ')} of a token into conditions; it never matches`,
        );
    }
  const applies = (statement: IamStatement) =>
    statement.federated.some((arn) => providerOfArn(arn) === name) &&
    statement.actions.some((action) => /^(sts:AssumeRoleWithWebIdentity|sts:\*|\*)$/i.test(action));
  const failing = (statement: IamStatement) =>
    statement.conditions.find((condition) => !conditionHolds(condition, context));
  const denied = trust.statements.find(
    (statement) => statement.effect === 'Deny' && applies(statement) && failing(statement) === undefined,
  );
  if (denied)
    return refuse({
      code: 'AccessDenied',
      reason: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
      rule: `Statement[${denied.index}] (Effect Deny) matches the token`,
      fix: `remove or narrow Statement[${denied.index}] of the role's trust policy`,
    });
  const allows = trust.statements.filter((statement) => statement.effect === 'Allow' && applies(statement));
  const granted = allows.find((statement) => failing(statement) === undefined);
  if (granted) return accepted(party, warnings, { statement: `Statement[${granted.index}]` });
  const arn = `arn:aws:iam::<account>:oidc-provider/${name}`;
  const candidate = allows[0];
  if (!candidate)
    return refuse({
      code: 'AccessDenied',
      reason: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
      rule: 'Statement Principal.Federated and Action',
      ruleValue:
        trust.statements.flatMap((statement) => statement.federated).join(', ') || '(no Federated principal)',
      tokenValue: arn,
      fix: `allow sts:AssumeRoleWithWebIdentity for {"Federated": "${arn}"} in the role's trust policy`,
    });
  const condition = failing(candidate)!;
  const values = contextValues(condition, context);
  const tokenValue = values.length === 1 ? values[0]! : JSON.stringify(values);
  const like = /Like/.test(condition.operator);
  return refuse({
    code: 'AccessDenied',
    reason: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    rule: `Statement[${candidate.index}] Condition ${condition.operator} "${condition.key}"`,
    ruleValue: closest(condition.values, tokenValue) ?? '(none)',
    tokenValue: values.length === 0 ? '(not in the token)' : tokenValue,
    wildcards: like ? '*?' : '',
    fix: `make the condition match the token's value: ${condition.operator} ${condition.key} = ${tokenValue}${like ? '' : ' (StringLike with * accepts a prefix)'}`,
  });
}

/** Why IAM cannot hold an OIDC provider for this issuer (https only, no port), or undefined. */
function issuerFormProblem(iss: string): string | undefined {
  let url: URL;
  try {
    url = new URL(iss);
  } catch {
    return 'iss is not a URL';
  }
  if (url.protocol !== 'https:') return 'an IAM OIDC provider URL must begin with https://';
  if (url.port !== '') return `an IAM OIDC provider URL holds no port (iss has :${url.port})`;
  return undefined;
}

/** The values the policy's `<provider>:aud` conditions allow, standing in for an unknown client ID list. */
function policyAudiences(trust: AwsTrust, name: string): string[] {
  return trust.statements.flatMap((statement) =>
    statement.conditions
      .filter((condition) => condition.key.toLowerCase() === `${name}:aud`.toLowerCase())
      .flatMap((condition) => condition.values),
  );
}

type RequestContext = Map<string, string[]>;

/** The condition keys STS sets from the token: `<provider>:sub`, `:aud` (the client ID it matched), …; lower-cased. */
function requestContext(token: TokenUnderCheck, name: string, aud: string): RequestContext {
  const context: RequestContext = new Map();
  for (const claim of contextClaims) {
    const value = claim === 'aud' ? [aud] : claim === 'oaud' ? audiences(token.claims) : token.claims[claim];
    const list = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : undefined;
    if (list) context.set(`${name}:${claim}`.toLowerCase(), list);
  }
  return context;
}

function contextValues(condition: IamCondition, context: RequestContext): string[] {
  const values = context.get(condition.key.toLowerCase()) ?? [];
  // A single-valued operator compares the one value STS matched (aud: the client ID).
  return /^For(Any|All)Value:/.test(condition.operator) ? values : values.slice(0, 1);
}

/** IAM's evaluation of one condition against the request context. */
export function conditionHolds(condition: IamCondition, context: RequestContext): boolean {
  const [, set, base = '', ifExists] =
    /^(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?$/.exec(condition.operator) ?? [];
  const present = context.has(condition.key.toLowerCase());
  const values = contextValues(condition, context);
  const negated = base.includes('Not');
  if (!present) return ifExists !== undefined || negated || set === 'ForAllValues';
  const matchesOne = (value: string) =>
    condition.values.some((pattern) => {
      if (/Like$/.test(base)) return iamLike(pattern, value);
      if (/IgnoreCase$/.test(base)) return pattern.toLowerCase() === value.toLowerCase();
      return pattern === value;
    });
  if (set === 'ForAllValues') return values.every((value) => matchesOne(value) !== negated);
  const any = values.some(matchesOne);
  return negated ? !any : any;
}

/** IAM's StringLike: `*` any run of characters, `?` exactly one; case-sensitive. */
export function iamLike(pattern: string, value: string): boolean {
  const regex = pattern
    .split('')
    .map((character) =>
      character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${regex}$`, 's').test(value);
}

/** `envid idp check aws`: the configuration read from the documents or flags, then checked. */
export const awsTrustCheck: TrustCheck = {
  evaluate: (token, input, now) => checkAwsTrust(token, readAwsTrust(input), now),
};
