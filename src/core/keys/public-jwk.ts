import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

import type { PublicJwk, SigningAlgorithm } from '../domain/public-jwk.ts';

/** What the JWKS publishes for one key: public members only (docs/tokens.md#discovery-jwks-and-signing-keys). */
export type { PublicJwk, SigningAlgorithm };

/** Key IDs are the RFC 7638 thumbprint (base64url SHA-256 of the canonical public JWK): stable and checkable. */
export function rsaThumbprint(n: string, e: string): string {
  // RFC 7638 §3.2: required members only, in lexicographic order, no whitespace.
  return createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
}

/** RFC 7638 thumbprint of a P-256 key (required members crv, kty, x, y in that order). */
export function ecThumbprint(x: string, y: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ crv: 'P-256', kty: 'EC', x, y }))
    .digest('base64url');
}

/** The algorithm a key signs with: RSA keys RS256, P-256 keys ES256; anything else is refused. */
export function algorithmOf(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error('signing keys must be RSA or P-256 (EC) keys');
}

/**
 * The public JWK of an RSA or P-256 key (private or public KeyObject). Built member by member from the
 * public key, so a private member can never slip through.
 */
export function toPublicJwk(key: KeyObject): PublicJwk {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = publicKey.export({ format: 'jwk' });
  if (algorithmOf(publicKey) === 'ES256') {
    if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw new Error('EC key without coordinates');
    return {
      kty: 'EC',
      crv: 'P-256',
      x: jwk.x,
      y: jwk.y,
      kid: ecThumbprint(jwk.x, jwk.y),
      alg: 'ES256',
      use: 'sig',
    };
  }
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string')
    throw new Error('RSA key without modulus or exponent');
  return { kty: 'RSA', n: jwk.n, e: jwk.e, kid: rsaThumbprint(jwk.n, jwk.e), alg: 'RS256', use: 'sig' };
}

/** Modulus size in bits. */
export function rsaModulusBits(key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}
