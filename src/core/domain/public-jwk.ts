/** The public half of a signing key, exactly as the JWKS publishes it (no private member, ever). */
export interface PublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}
