import type { SigningAlgorithm } from '../../core/domain/public-jwk.ts';
import type { TokenSigningKey } from '../../core/tokens/token-signer.ts';

/** The JWKS as served: the JSON body, computed once per key-set change, and its ETag. */
export interface PublishedJwks {
  body: string;
  etag: string;
}

/** What the token path and the JWKS route need from the key manager, all answered from memory. */
export interface KeySet {
  /** The key that signs now (RS256 unless asked). Throws `unavailable` when there is none (the server is not ready). */
  signingKey(algorithm?: SigningAlgorithm): TokenSigningKey;
  /** The key that signs `algorithm`, creating that algorithm's keys on first use. */
  signingKeyFor(algorithm: SigningAlgorithm): Promise<TokenSigningKey>;
  jwks(): PublishedJwks;
  /** The JWKS `Cache-Control: max-age`, in seconds. */
  readonly jwksMaxAgeSeconds: number;
}
