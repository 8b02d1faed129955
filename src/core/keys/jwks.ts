import type { KeyState } from './plan-rotation.ts';
import type { PublicJwk } from './public-jwk.ts';

export interface Jwks {
  keys: PublicJwk[];
}

/** Copies only the public members of a JWK, so a private member stored by mistake can never be served. */
function publicMembers(jwk: PublicJwk): PublicJwk {
  if (jwk.kty === 'EC') {
    const { kty, crv, x, y, kid, alg, use } = jwk;
    return { kty, crv, x, y, kid, alg, use };
  }
  const { kty, n, e, kid, alg, use } = jwk;
  return { kty, n, e, kid, alg, use };
}

/** The JWKS document: every published key (next, current, retired) of every algorithm, current first. */
export function buildJwks(keys: readonly { state: KeyState; publicJwk: PublicJwk }[]): Jwks {
  const order: Record<KeyState, number> = { current: 0, next: 1, retired: 2 };
  return {
    keys: [...keys]
      .sort((a, b) => order[a.state] - order[b.state])
      .map(({ publicJwk }) => publicMembers(publicJwk)),
  };
}
