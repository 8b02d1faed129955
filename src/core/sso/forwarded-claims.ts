import type { IdpClaims } from '../domain/idp-claims.ts';
import { credentialPrefixes } from '../principal-kinds.ts';
import { maxIdpClaimKeyLength } from '../tokens/sub-fields.ts';

/**
 * Which upstream ID token claims become a user's `idp_claims` (docs/tokens.md#forwarded-sso-claims).
 * A claim is forwarded whole or not at all: a value is never cut, filtered or reordered, so a trust
 * rule never matches a list that is not the upstream's.
 */

/** At most this many claims are forwarded (the first ones the configuration names). */
export const maxForwardedClaims = 50;
/** A string value, and each entry of a list, holds at most this many characters. */
export const maxForwardedValueLength = 1024;
/** A list holds at most this many entries (Entra ID puts at most 200 groups into an ID token). */
export const maxForwardedListLength = 200;
/** All forwarded values together, as JSON, hold at most this many characters (tokens travel in headers). */
export const maxForwardedClaimsSize = 16_384;

/** Claims that belong to the upstream's protocol, not to the user: never forwarded. */
const protocolClaims = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'nonce',
  'at_hash',
  'c_hash',
  's_hash',
  'auth_time',
  'azp',
  'sid',
  'acr',
  'amr',
  'typ',
  'cnf',
  'act',
  'may_act',
  'events',
  'sub_jwk',
  'session_state',
  '_claim_names',
  '_claim_sources',
  // Entra ID's opaque internal claims (token reuse identifier, refresh hint, session data).
  'aio',
  'uti',
  'rh',
  '__proto__',
]);

/** Names that say the value is a credential of some kind. */
const secretName =
  /token|secret|passw|pwd|credential|api_?key|private_?key|auth_?code|hash|cookie|signature/i;
// A control character is never part of a claim name.
const controlCharacter = /\p{Cc}/u;

/** Why the upstream claim `name` is never forwarded, or undefined when it may be (for checking a configuration). */
export function forwardedClaimNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.length > maxIdpClaimKeyLength) return `is longer than ${maxIdpClaimKeyLength} characters`;
  if (controlCharacter.test(name)) return 'contains a control character';
  if (protocolClaims.has(name)) return 'is a protocol claim, not a claim about the user';
  if (secretName.test(name)) return 'names a token or secret';
  return undefined;
}

const jwtShaped = /^eyJ[\w-]*\.[\w-]*\.[\w-]*(\.[\w-]*\.[\w-]*)?$/;
const knownSecretPrefixes = [
  ...Object.values(credentialPrefixes),
  'ghp_',
  'gho_',
  'ghu_',
  'ghs_',
  'github_pat_',
  'glpat-',
  'xoxb-',
  'xoxp-',
  'sk-',
  'AKIA',
  'ASIA',
  'ya29.',
  'Bearer ',
  '-----BEGIN',
];
// 40 or more characters of a base64 / hex alphabet mixing upper case, lower case and digits: a key or
// token. UUIDs (Entra group and object IDs) are lower-case hex and pass.
const opaqueKey = /^[A-Za-z0-9+/=_.-]{40,}$/;
const mixedCase = (value: string) => /[A-Z]/.test(value) && /[a-z]/.test(value) && /\d/.test(value);

/** Whether a value looks like a token, key or secret rather than something about the user. */
export function looksLikeSecret(value: string): boolean {
  if (jwtShaped.test(value)) return true;
  if (knownSecretPrefixes.some((prefix) => prefix !== '' && value.startsWith(prefix))) return true;
  return opaqueKey.test(value) && mixedCase(value);
}

/** Why the value of a forwardable claim is not forwarded, or undefined when it is. */
export function forwardedValueProblem(value: unknown): string | undefined {
  const entries = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (!entries) return 'is neither a string nor a list of strings';
  if (Array.isArray(value) && value.length === 0) return 'is an empty list';
  if (entries.length > maxForwardedListLength)
    return `is a list of ${entries.length} entries; at most ${maxForwardedListLength} are forwarded`;
  for (const entry of entries) {
    if (typeof entry !== 'string') return 'is a list holding something other than strings';
    if (entry === '') return 'is or holds an empty string';
    if (entry.length > maxForwardedValueLength)
      return `is or holds a string longer than ${maxForwardedValueLength} characters`;
    if (looksLikeSecret(entry)) return 'looks like a token or secret';
  }
  return undefined;
}

/**
 * The claims of `upstreamClaims` named in `forward` that may be forwarded, in `forward`'s order; the
 * others are left out. Pure: the answer shares no array with the input.
 */
export function forwardedClaimsOf(
  upstreamClaims: Record<string, unknown>,
  forward: readonly string[],
): IdpClaims {
  const out: IdpClaims = {};
  let count = 0;
  let size = 2; // "{}"
  for (const name of new Set(forward)) {
    if (count === maxForwardedClaims) break;
    if (!Object.hasOwn(upstreamClaims, name) || forwardedClaimNameProblem(name)) continue;
    const value = upstreamClaims[name];
    if (forwardedValueProblem(value)) continue;
    const copy = typeof value === 'string' ? value : [...(value as string[])];
    const claimSize = JSON.stringify(name).length + JSON.stringify(copy).length + 2; // ":" and ","
    if (size + claimSize > maxForwardedClaimsSize) continue;
    out[name] = copy;
    size += claimSize;
    count += 1;
  }
  return out;
}
