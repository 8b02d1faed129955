import type { KeyState } from './plan-rotation.ts';
import type { PublicJwk } from './public-jwk.ts';

export interface Jwks {
  keys: PublicJwk[];
}

/**
 * The JWKS document: every published key (next, current, retired), current first. Each JWK is rebuilt
 * from its public members only, so a private member stored by mistake can never be served.
 */
export function buildJwks(keys: readonly { state: KeyState; publicJwk: PublicJwk }[]): Jwks {
  const order: Record<KeyState, number> = { current: 0, next: 1, retired: 2 };
  return {
    keys: [...keys]
      .sort((a, b) => order[a.state] - order[b.state])
      .map(({ publicJwk: { kty, n, e, kid, alg, use } }) => ({ kty, n, e, kid, alg, use })),
  };
}
