/** The token signing algorithms envid can sign with; RS256 is the default and the only one before ES256. */
export type SigningAlgorithm = 'RS256' | 'ES256';
export const signingAlgorithms: readonly SigningAlgorithm[] = ['RS256', 'ES256'];

/** The public half of an RSA signing key, exactly as the JWKS publishes it (no private member, ever). */
export interface RsaPublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

/** The public half of a P-256 signing key, exactly as the JWKS publishes it. */
export interface EcPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export type PublicJwk = RsaPublicJwk | EcPublicJwk;
