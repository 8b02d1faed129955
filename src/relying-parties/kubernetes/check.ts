import { parse as parseYaml } from 'yaml';
import { celSyntaxProblem, evaluateCel } from '../../shared/evaluate-cel.ts';
import { usageError } from '../../shared/exit-codes.ts';
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
import { isLoopbackIssuer } from '../support/loopback-issuer.ts';
import { timeFix, timeProblem } from '../support/token-times.ts';
import {
  isObject,
  requireString,
  type TrustInput,
  unrecognized,
  unwrapTrustInput,
} from '../support/trust-input.ts';

/**
 * `envid idp check kubernetes`: whether a kube-apiserver started with `--authentication-config`
 * would authenticate `token` through one of the configuration's JWT authenticators
 * (AuthenticationConfiguration, apiserver.config.k8s.io/v1 or v1beta1), and as which user. The API
 * server answers every refusal with a bare 401 Unauthorized and logs the reason; this says the reason.
 */

/** A claim mapping: a claim with a prefix, or a CEL expression over `claims`. */
export type ClaimMapping = { claim: string; prefix: string } | { expression: string };

export type ClaimValidationRule =
  | { claim: string; requiredValue: string }
  | { expression: string; message?: string };

export interface JwtAuthenticator {
  index: number;
  issuer: { url: string; audiences: string[] };
  claimValidationRules: ClaimValidationRule[];
  username: ClaimMapping;
  groups?: ClaimMapping;
  uid?: ClaimMapping;
  extra: { key: string; valueExpression: string }[];
  userValidationRules: { expression: string; message?: string }[];
}

const party = 'kubernetes';
const algorithms = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'];
const accepted_ =
  'an AuthenticationConfiguration (apiserver.config.k8s.io/v1 or v1beta1, YAML or JSON) with jwt authenticators, or `envid idp trust kubernetes` output';

/** The JWT authenticators of the `--config` files (or one built from --issuer, --audience, --subject / --subject-prefix). */
export function readKubernetesTrust(input: TrustInput): JwtAuthenticator[] {
  const { documents, flags } = unwrapTrustInput('kubernetes', input);
  const authenticators: JwtAuthenticator[] = [];
  for (const { source, value } of documents) {
    const document = typeof value === 'string' ? parseYamlDocument(value, source) : value;
    if (!isObject(document) || document['kind'] !== 'AuthenticationConfiguration') {
      if (source.includes(' documents.')) continue;
      throw unrecognized(source, 'Kubernetes', accepted_);
    }
    if (!/^apiserver\.config\.k8s\.io\/(v1|v1beta1|v1alpha1)$/.test(String(document['apiVersion'])))
      throw usageError(
        `${source}: apiVersion must be apiserver.config.k8s.io/v1 (or v1beta1), got ${JSON.stringify(document['apiVersion'])}`,
      );
    const jwt = document['jwt'] ?? [];
    if (!Array.isArray(jwt)) throw usageError(`${source}: jwt must be a list of authenticators`);
    jwt.forEach((entry, index) => {
      authenticators.push(readAuthenticator(entry, `${source} jwt[${index}]`, authenticators.length));
    });
  }
  if (authenticators.length > 0) return authenticators;
  if (flags.issuer === undefined || flags.audience === undefined)
    throw usageError(
      `give --issuer and --audience (with --subject or --subject-prefix), or --config with ${accepted_}`,
    );
  const rules: ClaimValidationRule[] =
    flags.subject !== undefined
      ? [{ claim: 'sub', requiredValue: flags.subject }]
      : flags.subjectPrefix !== undefined
        ? [
            {
              expression: `claims.sub.startsWith(${JSON.stringify(flags.subjectPrefix)})`,
              message: `sub must start with ${flags.subjectPrefix}`,
            },
          ]
        : [];
  return [
    {
      index: 0,
      issuer: { url: flags.issuer, audiences: [flags.audience] },
      claimValidationRules: rules,
      username: { claim: 'sub', prefix: '' },
      extra: [],
      userValidationRules: [],
    },
  ];
}

function parseYamlDocument(text: string, source: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    throw usageError(`${source}: not YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}

function readAuthenticator(entry: unknown, source: string, index: number): JwtAuthenticator {
  if (!isObject(entry)) throw usageError(`${source}: must be an object with issuer and claimMappings`);
  const issuer = entry['issuer'];
  if (!isObject(issuer)) throw usageError(`${source}: issuer must be an object with url and audiences`);
  const auds = issuer['audiences'];
  if (!Array.isArray(auds) || auds.length === 0 || !auds.every((aud) => typeof aud === 'string'))
    throw usageError(`${source}: issuer.audiences must be a non-empty list of strings`);
  if (auds.length > 1 && issuer['audienceMatchPolicy'] !== 'MatchAny')
    throw usageError(
      `${source}: issuer.audienceMatchPolicy must be MatchAny when issuer.audiences has more than one`,
    );
  const mappings = entry['claimMappings'];
  if (!isObject(mappings) || !isObject(mappings['username']))
    throw usageError(
      `${source}: claimMappings.username is required (a claim with a prefix, or an expression)`,
    );
  const rules = (entry['claimValidationRules'] ?? []) as unknown;
  if (!Array.isArray(rules)) throw usageError(`${source}: claimValidationRules must be a list`);
  const userRules = (entry['userValidationRules'] ?? []) as unknown;
  if (!Array.isArray(userRules)) throw usageError(`${source}: userValidationRules must be a list`);
  const extra = (mappings['extra'] ?? []) as unknown;
  if (!Array.isArray(extra)) throw usageError(`${source}: claimMappings.extra must be a list`);
  const authenticator: JwtAuthenticator = {
    index,
    issuer: { url: requireString(issuer['url'], source, 'issuer.url'), audiences: auds as string[] },
    claimValidationRules: rules.map((rule, at) =>
      readValidationRule(rule, `${source} claimValidationRules[${at}]`),
    ),
    username: readMapping(mappings['username'], `${source} claimMappings.username`, true)!,
    ...optional('groups', readMapping(mappings['groups'], `${source} claimMappings.groups`, false)),
    ...optional('uid', readMapping(mappings['uid'], `${source} claimMappings.uid`, false)),
    extra: extra.map((item, at) => {
      const where = `${source} claimMappings.extra[${at}]`;
      if (!isObject(item)) throw usageError(`${where}: must be {key, valueExpression}`);
      return {
        key: requireString(item['key'], where, 'key'),
        valueExpression: requireString(item['valueExpression'], where, 'valueExpression'),
      };
    }),
    userValidationRules: userRules.map((rule, at) => {
      const where = `${source} userValidationRules[${at}]`;
      if (!isObject(rule)) throw usageError(`${where}: must be {expression, message}`);
      return {
        expression: requireString(rule['expression'], where, 'expression'),
        ...(typeof rule['message'] === 'string' ? { message: rule['message'] } : {}),
      };
    }),
  };
  requireParsedCel(authenticator, source);
  return authenticator;
}

/** The API server compiles every expression when it loads the file and refuses the file if one fails. */
function requireParsedCel(authenticator: JwtAuthenticator, source: string): void {
  const expressions = new Map<string, string>();
  authenticator.claimValidationRules.forEach((rule, at) => {
    if ('expression' in rule) expressions.set(`claimValidationRules[${at}].expression`, rule.expression);
  });
  for (const name of ['username', 'groups', 'uid'] as const) {
    const mapping = authenticator[name];
    if (mapping && 'expression' in mapping)
      expressions.set(`claimMappings.${name}.expression`, mapping.expression);
  }
  authenticator.extra.forEach((item, at) => {
    expressions.set(`claimMappings.extra[${at}].valueExpression`, item.valueExpression);
  });
  authenticator.userValidationRules.forEach((rule, at) => {
    expressions.set(`userValidationRules[${at}].expression`, rule.expression);
  });
  for (const [field, expression] of expressions) {
    const error = celSyntaxProblem(expression);
    if (error !== undefined)
      throw usageError(
        `${source}: ${field} does not compile, so the API server refuses this configuration: ${error}`,
      );
  }
}

const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

function readValidationRule(rule: unknown, source: string): ClaimValidationRule {
  if (!isObject(rule)) throw usageError(`${source}: must be {claim, requiredValue} or {expression, message}`);
  if (typeof rule['expression'] === 'string')
    return {
      expression: rule['expression'],
      ...(typeof rule['message'] === 'string' ? { message: rule['message'] } : {}),
    };
  return {
    claim: requireString(rule['claim'], source, 'claim'),
    requiredValue: typeof rule['requiredValue'] === 'string' ? rule['requiredValue'] : '',
  };
}

function readMapping(mapping: unknown, source: string, required: boolean): ClaimMapping | undefined {
  if (mapping === undefined && !required) return undefined;
  if (!isObject(mapping)) throw usageError(`${source}: must be {claim, prefix} or {expression}`);
  if (typeof mapping['expression'] === 'string' && mapping['expression'] !== '') {
    if (mapping['claim'] !== undefined)
      throw usageError(`${source}: claim and expression are mutually exclusive`);
    return { expression: mapping['expression'] };
  }
  const claim = requireString(mapping['claim'], source, 'claim');
  if (required && typeof mapping['prefix'] !== 'string')
    throw usageError(`${source}: prefix is required with claim (use "" for none)`);
  return { claim, prefix: typeof mapping['prefix'] === 'string' ? mapping['prefix'] : '' };
}

/**
 * The API server's checks, in order: an authenticator whose issuer.url is `iss` exactly, `aud` among
 * its audiences, the algorithm, exp/nbf, each claim validation rule (a claim's required value, or a
 * CEL expression over `claims` that must be true), the claim mappings (username must be a non-empty
 * string), then each user validation rule (CEL over `user`).
 */
export function checkKubernetesTrust(
  token: TokenUnderCheck,
  authenticators: readonly JwtAuthenticator[],
  now: number,
): CheckVerdict {
  const iss = stringClaim(token.claims, 'iss') ?? '';
  const warnings = isLoopbackIssuer(iss)
    ? [`iss ${iss} is on this machine: only an API server on this machine can fetch its keys`]
    : [];
  const refuse = (refusal: Omit<Refusal, 'code'>) =>
    refused(party, { code: '401 Unauthorized', ...refusal }, warnings);
  const authenticator = authenticators.find((candidate) => candidate.issuer.url === iss);
  if (!authenticator)
    return refuse({
      reason: 'no JWT authenticator has the token’s issuer (the API server logs: invalid bearer token)',
      rule: 'jwt[].issuer.url',
      ruleValue: closest(
        authenticators.map((candidate) => candidate.issuer.url),
        iss,
      ),
      tokenValue: iss,
      fix: `set issuer.url to exactly ${iss} (trailing slash included)`,
    });
  const at = `jwt[${authenticator.index}]`;
  const auds = audiences(token.claims);
  if (!auds.some((aud) => authenticator.issuer.audiences.includes(aud)))
    return refuse({
      reason: `oidc: expected audience in ${JSON.stringify(authenticator.issuer.audiences)} got ${JSON.stringify(auds)}`,
      rule: `${at}.issuer.audiences`,
      ruleValue: closest(authenticator.issuer.audiences, audienceText(token.claims)),
      tokenValue: audienceText(token.claims),
      fix: `ask envid for a token with --audience ${authenticator.issuer.audiences[0]}, or add the token's aud to issuer.audiences`,
    });
  const alg = String(token.header['alg']);
  if (!algorithms.includes(alg))
    return refuse({
      reason: `oidc: id token signed with unsupported algorithm ${alg}`,
      rule: 'signing algorithm',
      ruleValue: algorithms.join(', '),
      tokenValue: alg,
      fix: 'envid signs with RS256; check the token came from envid',
    });
  const time = timeProblem(token, now);
  if (time)
    return refuse({
      reason:
        time.rule === 'exp'
          ? 'oidc: token is expired'
          : 'oidc: current time before the nbf (not before) time',
      rule: time.rule,
      ruleValue: time.ruleValue,
      tokenValue: time.tokenValue,
      comparable: false,
      fix: timeFix,
    });
  const claims = token.claims;
  for (const [index, rule] of authenticator.claimValidationRules.entries()) {
    const where = `${at}.claimValidationRules[${index}]`;
    if ('claim' in rule) {
      const value = claims[rule.claim];
      if (value !== rule.requiredValue)
        return refuse({
          reason:
            value === undefined
              ? `oidc: required claim ${rule.claim} not present in ID token`
              : `oidc: required claim ${rule.claim} value does not match. Got = ${JSON.stringify(value)}, want = ${JSON.stringify(rule.requiredValue)}`,
          rule: `${where} claim ${rule.claim} requiredValue`,
          ruleValue: rule.requiredValue,
          tokenValue: value === undefined ? '(not in the token)' : String(value),
          fix: `set requiredValue to ${JSON.stringify(value ?? '')}, or drop the rule`,
        });
      continue;
    }
    const result = evaluateCel(rule.expression, { claims });
    if (!result.ok || result.value !== true)
      return refuse({
        reason: result.ok
          ? `oidc: claim validation expression failed: ${rule.message ?? rule.expression}`
          : `oidc: error evaluating claim validation expression: ${result.error}`,
        ...celRuleValues(`${where} expression`, rule.expression, { claims }),
        fix: `change the expression so that it is true for this token (its claims: \`envid idp token --decode\`)`,
      });
  }
  const mapped = mapUser(authenticator, claims, at);
  if ('refusal' in mapped) return refuse(mapped.refusal);
  for (const [index, rule] of authenticator.userValidationRules.entries()) {
    const result = evaluateCel(rule.expression, { user: mapped.user });
    if (!result.ok || result.value !== true)
      return refuse({
        reason: result.ok
          ? `oidc: user validation rule failed: ${rule.message ?? rule.expression}`
          : `oidc: error evaluating user info validation rule: ${result.error}`,
        ...celRuleValues(`${at}.userValidationRules[${index}] expression`, rule.expression, {
          user: mapped.user,
        }),
        fix: 'change the rule (or the claim mappings) so that it is true for this user',
      });
  }
  const identity: Record<string, string | string[]> = { username: mapped.user.username };
  if (mapped.user.groups.length > 0) identity['groups'] = mapped.user.groups;
  if (mapped.user.uid !== '') identity['uid'] = mapped.user.uid;
  return accepted(party, warnings, identity);
}

interface MappedUser {
  username: string;
  uid: string;
  groups: string[];
  extra: Record<string, string[]>;
}

function mapUser(
  authenticator: JwtAuthenticator,
  claims: Record<string, unknown>,
  at: string,
): { user: MappedUser } | { refusal: Omit<Refusal, 'code'> } {
  const username = mapValue(authenticator.username, claims);
  if (
    typeof username !== 'string' ||
    username === '' ||
    ('claim' in authenticator.username && username === authenticator.username.prefix)
  )
    return {
      refusal: {
        reason: `oidc: ${'claim' in authenticator.username ? `claim not present: ${authenticator.username.claim}` : 'username expression must be a non-empty string'}`,
        rule: `${at}.claimMappings.username`,
        ruleValue:
          'claim' in authenticator.username
            ? authenticator.username.claim
            : authenticator.username.expression,
        tokenValue: username === undefined ? '(not in the token)' : JSON.stringify(username),
        fix: 'map the username from a string claim every token has: claim: sub',
      },
    };
  const groups = authenticator.groups ? mapValue(authenticator.groups, claims) : undefined;
  const groupList =
    groups === undefined
      ? []
      : Array.isArray(groups)
        ? groups.map(String)
        : typeof groups === 'string'
          ? [groups]
          : null;
  if (groupList === null)
    return {
      refusal: {
        reason: 'oidc: groups must be a string or a list of strings',
        rule: `${at}.claimMappings.groups`,
        tokenValue: JSON.stringify(groups),
        fix: 'map groups from a claim that is a string or a list of strings',
      },
    };
  const uid = authenticator.uid ? mapValue(authenticator.uid, claims) : '';
  const extra: Record<string, string[]> = {};
  for (const item of authenticator.extra) {
    const value = evaluateCel(item.valueExpression, { claims });
    if (value.ok && value.value !== undefined)
      extra[item.key] = Array.isArray(value.value) ? value.value.map(String) : [String(value.value)];
  }
  return { user: { username, uid: typeof uid === 'string' ? uid : '', groups: groupList, extra } };
}

/** A claim mapping's value: the prefixed claim (each item of a list), or the expression's value; undefined when absent. */
function mapValue(mapping: ClaimMapping, claims: Record<string, unknown>): unknown {
  if ('expression' in mapping) {
    const result = evaluateCel(mapping.expression, { claims });
    return result.ok ? result.value : undefined;
  }
  const value = claims[mapping.claim];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((item) => `${mapping.prefix}${String(item)}`);
  return typeof value === 'string' ? `${mapping.prefix}${value}` : value;
}

/** For `claims.x == "v"` / `claims.x.startsWith("v")`, the literal and the claim's value; else the expression. */
function celRuleValues(
  rule: string,
  expression: string,
  bindings: Record<string, unknown>,
): Pick<Refusal, 'rule' | 'ruleValue' | 'tokenValue'> {
  const simple =
    /^\s*((?:claims|user)(?:\.\w+)+)\s*(==|\.startsWith\()\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\)?\s*$/.exec(
      expression,
    );
  if (simple) {
    const value = evaluateCel(simple[1]!, bindings);
    const literal = evaluateCel(simple[3]!, {});
    if (literal.ok)
      return {
        rule: `${rule} ${simple[1]}${simple[2] === '==' ? ' ==' : '.startsWith'}`,
        ruleValue: String(literal.value),
        tokenValue: value.ok ? String(value.value) : '(not in the token)',
      };
  }
  return { rule, ruleValue: expression, tokenValue: 'false' };
}

/** `envid idp check kubernetes`: the authenticators read from the documents or flags, then checked. */
export const kubernetesTrustCheck: TrustCheck = {
  evaluate: (token, input, now) => checkKubernetesTrust(token, readKubernetesTrust(input), now),
};
