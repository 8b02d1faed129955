import type { IdpClaims } from '../tokens/principal-claims.ts';
import { protocolClaims } from './protocol-claims.ts';

/**
 * PLACEHOLDER until the ssoclaims branch merges (it owns this file and its rules; same signature):
 * the upstream claims named in `forward` that are strings or lists of strings, never a protocol claim.
 */

export function forwardedClaimsOf(
  upstreamClaims: Record<string, unknown>,
  forward: readonly string[],
): IdpClaims {
  const kept: IdpClaims = {};
  for (const name of forward) {
    const value = upstreamClaims[name];
    if (protocolClaims.has(name)) continue;
    if (typeof value === 'string') kept[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) kept[name] = value;
  }
  return kept;
}
