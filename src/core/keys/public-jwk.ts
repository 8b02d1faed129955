import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

import type { PublicJwk } from '../domain/public-jwk.ts';

/** What the JWKS publishes for one key: public members only (docs/tokens.md#discovery-jwks-and-signing-keys). */
export type { PublicJwk };

/** Key IDs are the RFC 7638 thumbprint (base64url SHA-256 of the canonical public JWK): stable and checkable. */
export function rsaThumbprint(n: string, e: string): string {
  // RFC 7638 §3.2: required members only, in lexicographic order, no whitespace.
  return createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
}

/**
 * The public JWK of an RSA key (private or public KeyObject). Built member by member from the public
 * key, so a private member can never slip through.
 */
export function toPublicJwk(key: KeyObject): PublicJwk {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'rsa') throw new Error('signing keys must be RSA keys');
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string')
    throw new Error('RSA key without modulus or exponent');
  return { kty: 'RSA', n: jwk.n, e: jwk.e, kid: rsaThumbprint(jwk.n, jwk.e), alg: 'RS256', use: 'sig' };
}

/** Modulus size in bits. */
export function rsaModulusBits(key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}
