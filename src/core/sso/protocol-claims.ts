/** Claims that say how an ID token was made, not who signed in: never forwarded from an upstream. */
export const protocolClaims: ReadonlySet<string> = new Set([
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'nonce',
  'at_hash',
  'c_hash',
  'auth_time',
  'azp',
  'sid',
  'jti',
  'acr',
  'amr',
  'sub',
]);
