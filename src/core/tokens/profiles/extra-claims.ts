import type { ExtraClaim } from '../../domain/audience-profile.ts';
import { invalidArgument } from '../../errors.ts';
import { principalClaimNames, standardClaimNames, v2ClaimNames } from '../claims.ts';
import type { PrincipalClaims } from '../principal-claims.ts';
import { allowedSubFieldsDescription, resolveSubField, subFieldProblem } from '../sub-fields.ts';

export const maxExtraClaims = 20;
export const maxExtraClaimNameLength = 128;
export const maxExtraClaimValueLength = 256;

/**
 * Claim names an extra claim may not take: envid's own claims, and the JWT/OIDC registered claims a
 * relying party could read as protocol (RFC 7519, OIDC Core, RFC 8693, RFC 7800).
 */
export const reservedClaimNames: ReadonlySet<string> = new Set([
  ...standardClaimNames,
  ...principalClaimNames,
  ...v2ClaimNames,
  'azp',
  'nonce',
  'auth_time',
  'acr',
  'amr',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'cnf',
  'act',
  'may_act',
  'scope',
  'scp',
  'client_id',
  'typ',
  'alg',
  'kid',
  'events',
  'txn',
  'ver',
  'tid',
  'oid',
]);

const badNameCharacter = /[\s\p{Cc}"\\]/u;

export function validateExtraClaims(input: unknown, field = 'extraClaims'): ExtraClaim[] {
  if (input === undefined) return [];
  if (!Array.isArray(input))
    throw invalidArgument(field, 'must be a list of {"name", "from"} or {"name", "value"}');
  if (input.length > maxExtraClaims)
    throw invalidArgument(field, `${input.length} claims given; at most ${maxExtraClaims} are allowed`);
  const seen = new Set<string>();
  return input.map((entry: unknown, index): ExtraClaim => {
    const at = `${field}[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw invalidArgument(at, 'must be {"name", "from"} or {"name", "value"}');
    const e = entry as Record<string, unknown>;
    const unknown = Object.keys(e).find((k) => k !== 'name' && k !== 'from' && k !== 'value');
    if (unknown !== undefined)
      throw invalidArgument(at, `unknown member ${JSON.stringify(unknown.slice(0, 80))}`);
    const name = e.name;
    if (typeof name !== 'string' || name === '')
      throw invalidArgument(`${at}.name`, 'must be a non-empty string');
    if (name.length > maxExtraClaimNameLength)
      throw invalidArgument(`${at}.name`, `at most ${maxExtraClaimNameLength} characters are allowed`);
    if (badNameCharacter.test(name))
      throw invalidArgument(
        `${at}.name`,
        'must not contain whitespace, control characters, quotes or backslashes',
      );
    if (reservedClaimNames.has(name))
      throw invalidArgument(
        `${at}.name`,
        `${JSON.stringify(name)} is a protocol or envid claim; choose another name`,
      );
    if (seen.has(name)) throw invalidArgument(`${at}.name`, `${JSON.stringify(name)} is listed twice`);
    seen.add(name);
    if ((e.from === undefined) === (e.value === undefined))
      throw invalidArgument(at, 'must set exactly one of "from" (a sub field) or "value" (a fixed text)');
    if (e.from !== undefined) {
      if (typeof e.from !== 'string') throw invalidArgument(`${at}.from`, 'must be a string');
      const problem = subFieldProblem(e.from);
      if (problem)
        throw invalidArgument(
          `${at}.from`,
          `${JSON.stringify(e.from.slice(0, 80))} ${problem}; allowed: ${allowedSubFieldsDescription}`,
        );
      return { name, from: e.from };
    }
    if (typeof e.value !== 'string' || e.value === '')
      throw invalidArgument(`${at}.value`, 'must be a non-empty string');
    if (e.value.length > maxExtraClaimValueLength)
      throw invalidArgument(`${at}.value`, `at most ${maxExtraClaimValueLength} characters are allowed`);
    if (/\p{Cc}/u.test(e.value)) throw invalidArgument(`${at}.value`, 'must not contain control characters');
    return { name, value: e.value };
  });
}

/** The extra claims' values for one principal; a `from` the principal lacks adds no claim. */
export function resolveExtraClaims(
  claims: PrincipalClaims,
  extra: readonly ExtraClaim[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const claim of extra) {
    const value = 'value' in claim ? claim.value : resolveSubField(claims, claim.from);
    if (value !== undefined) out[claim.name] = value;
  }
  return out;
}
