import type { IdpClaims } from '../tokens/principal-claims.ts';

/**
 * PLACEHOLDER until the ssoclaims branch merges (it owns this file and its rules; same signature):
 * the upstream claims named in `forward` that are strings or lists of strings, never a protocol claim.
 */
const protocol = new Set([
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'nonce',
  'at_hash',
  'c_hash',
  'auth_time',
  'azp',
  'sid',
  'jti',
  'acr',
  'amr',
  'sub',
]);

export function forwardedClaimsOf(
  upstreamClaims: Record<string, unknown>,
  forward: readonly string[],
): IdpClaims {
  const kept: IdpClaims = {};
  for (const name of forward) {
    const value = upstreamClaims[name];
    if (protocol.has(name)) continue;
    if (typeof value === 'string') kept[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) kept[name] = value;
  }
  return kept;
}
