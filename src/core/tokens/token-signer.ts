import { type KeyObject, sign } from 'node:crypto';

import type { SigningAlgorithm } from '../domain/public-jwk.ts';
import { algorithmOf } from '../keys/public-jwk.ts';

/**
 * A private key ready for the hot path: the base64url header is computed once per key, so signing a
 * token is one JSON.stringify, one base64url encoding and one RSA signature.
 */
export interface TokenSigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly alg: SigningAlgorithm;
  /** base64url of `{"alg":"RS256"|"ES256","typ":"JWT","kid":...}`. */
  readonly encodedHeader: string;
}

export function prepareSigningKey(kid: string, privateKey: KeyObject): TokenSigningKey {
  if (privateKey.type !== 'private') throw new Error('a token signing key must be a private key');
  const alg = algorithmOf(privateKey);
  const header = JSON.stringify({ alg, typ: 'JWT', kid });
  return { kid, privateKey, alg, encodedHeader: Buffer.from(header).toString('base64url') };
}

// JWS ES256 signatures are r || s (IEEE P1363, RFC 7518 §3.4), not the DER node:crypto makes by default.
const signOptions = (key: TokenSigningKey) =>
  key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' as const } : key.privateKey;

const signingInputOf = (key: TokenSigningKey, payloadJson: string): string =>
  `${key.encodedHeader}.${Buffer.from(payloadJson).toString('base64url')}`;

/** A compact RS256 or ES256 JWT of `payload` (already in claim order). */
export function signJwt(key: TokenSigningKey, payload: object): string {
  const signingInput = signingInputOf(key, JSON.stringify(payload));
  const signature = sign('sha256', Buffer.from(signingInput), signOptions(key));
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * The same JWT as signJwt (for RS256, which is deterministic; ES256 signatures are randomized) of a
 * payload given as its JSON, but the signature, most of a token's cost, is made on libuv's thread pool: the server's event loop keeps
 * parsing, authenticating and answering other requests meanwhile, and a second core can sign (see
 * BENCHMARKS.md).
 */
export function signJwtAsync(key: TokenSigningKey, payloadJson: string): Promise<string> {
  const signingInput = signingInputOf(key, payloadJson);
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(signingInput), signOptions(key), (error, signature) => {
      if (error) reject(error);
      else resolve(`${signingInput}.${signature.toString('base64url')}`);
    });
  });
}
