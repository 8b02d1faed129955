import { labelKeyProblem, labelKeyRule } from '../labels.ts';
import { keyedClaimPrefixes, labelClaimPrefixes, plainSubFields } from './claims.ts';
import type { PrincipalClaims } from './principal-claims.ts';

// Which claims may be sub fields is declared with the claims (claims.ts); this file checks and resolves them.

export const maxIdpClaimKeyLength = 128;

/** What the configuration error message lists as allowed. */
export const allowedSubFieldsDescription = [
  ...plainSubFields,
  ...keyedClaimPrefixes.map((prefix) => `${prefix}<key>`),
].join(', ');

const plain = new Set<string>(plainSubFields);
// `:` would break splitting the `sub` back into pairs; whitespace and control characters are never claim names.
const badKeyCharacter = /[:\s\p{Cc}]/u;

/** Why `field` cannot be an extra sub field, or undefined when it can. */
export function subFieldProblem(field: string): string | undefined {
  if (plain.has(field)) return undefined;
  const prefix = keyedClaimPrefixes.find((p) => field.startsWith(p));
  if (!prefix) return 'is not an allowed field';
  const key = field.slice(prefix.length);
  if (labelClaimPrefixes.includes(prefix)) {
    if (key === '') return `needs a label key after "${prefix}"`;
    return labelKeyProblem(key) && `label key must be ${labelKeyRule}`;
  }
  if (key === '') return `needs a claim name after "${prefix}"`;
  if (key.length > maxIdpClaimKeyLength)
    return `claim name is longer than ${maxIdpClaimKeyLength} characters`;
  if (badKeyCharacter.test(key)) return 'claim name must not contain ":", whitespace or control characters';
  return undefined;
}

/**
 * The string value of `field` in the claims, or undefined when the principal does not have it or it is
 * not a string (so one configuration serves every principal kind).
 */
export function resolveSubField(claims: PrincipalClaims, field: string): string | undefined {
  switch (field) {
    case 'environment_initializers.git.remote_uri':
      // The first initializer that has a git remote (docs/tokens.md#the-v3-sub), and likewise for the other two.
      return nonEmpty(claims.environment_initializers?.find((i) => i.git?.remote_uri)?.git?.remote_uri);
    case 'environment_initializers.git.upstream_remote_uri':
      return nonEmpty(
        claims.environment_initializers?.find((i) => i.git?.upstream_remote_uri)?.git?.upstream_remote_uri,
      );
    case 'environment_initializers.context_url':
      return nonEmpty(claims.environment_initializers?.find((i) => i.context_url)?.context_url);
  }
  for (const prefix of keyedClaimPrefixes) {
    if (!field.startsWith(prefix)) continue;
    const source = (claims as unknown as Record<string, Record<string, unknown> | undefined>)[
      prefix.slice(0, -1)
    ];
    const key = field.slice(prefix.length);
    return nonEmpty(source && Object.hasOwn(source, key) ? source[key] : undefined);
  }
  if (!plain.has(field)) return undefined;
  return nonEmpty((claims as unknown as Record<string, unknown>)[field]);
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
