/** The registered JWT claims every envid token carries (docs/tokens.md). */
export interface StandardClaims {
  iss: string;
  sub: string;
  /** A string for one audience, an array for several (docs/tokens.md#asking-for-a-token). */
  aud: string | string[];
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
}
