import type { TokenSigningKey } from '../../core/tokens/token-signer.ts';

/** The JWKS as served: the JSON body, computed once per key-set change, and its ETag. */
export interface PublishedJwks {
  body: string;
  etag: string;
}

/** What the token path and the JWKS route need from the key manager, all answered from memory. */
export interface KeySet {
  /** The key that signs now. Throws `unavailable` when there is none (the server is not ready). */
  signingKey(): TokenSigningKey;
  jwks(): PublishedJwks;
  /** The JWKS `Cache-Control: max-age`, in seconds. */
  readonly jwksMaxAgeSeconds: number;
}
