import { type KeyObject, sign } from 'node:crypto';

/**
 * A private key ready for the hot path: the base64url header is computed once per key, so signing a
 * token is one JSON.stringify, one base64url encoding and one RSA signature.
 */
export interface TokenSigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** base64url of `{"alg":"RS256","typ":"JWT","kid":...}`. */
  readonly encodedHeader: string;
}

export function prepareSigningKey(kid: string, privateKey: KeyObject): TokenSigningKey {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
    throw new Error('a token signing key must be an RSA private key');
  }
  const header = JSON.stringify({ alg: 'RS256', typ: 'JWT', kid });
  return { kid, privateKey, encodedHeader: Buffer.from(header).toString('base64url') };
}

const signingInputOf = (key: TokenSigningKey, payloadJson: string): string =>
  `${key.encodedHeader}.${Buffer.from(payloadJson).toString('base64url')}`;

/** A compact RS256 JWT of `payload` (already in claim order). */
export function signJwt(key: TokenSigningKey, payload: object): string {
  const signingInput = signingInputOf(key, JSON.stringify(payload));
  const signature = sign('RSA-SHA256', Buffer.from(signingInput), key.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * The same JWT as signJwt (RS256 is deterministic) of a payload given as its JSON, but the RSA
 * signature, most of a token's cost, is made on libuv's thread pool: the server's event loop keeps
 * parsing, authenticating and answering other requests meanwhile, and a second core can sign (see
 * BENCHMARKS.md).
 */
export function signJwtAsync(key: TokenSigningKey, payloadJson: string): Promise<string> {
  const signingInput = signingInputOf(key, payloadJson);
  return new Promise((resolve, reject) => {
    sign('RSA-SHA256', Buffer.from(signingInput), key.privateKey, (error, signature) => {
      if (error) reject(error);
      else resolve(`${signingInput}.${signature.toString('base64url')}`);
    });
  });
}
