import type { Clock } from '../core/clock.ts';
import type { IdpClaims } from '../core/tokens/principal-claims.ts';
import type { Store } from '../store/store.ts';

/**
 * PLACEHOLDER until the ssoclaims branch merges (it owns this file; same signature): replaces the
 * user's idp and idpClaims with what this sign-in forwarded (a dropped group disappears).
 */
export async function applySignInClaims(
  store: Store,
  _clock: Clock,
  change: { userId: string; issuer: string; claims: IdpClaims },
): Promise<void> {
  await store.users.update(change.userId, (user) => ({
    ...user,
    idp: change.issuer,
    idpClaims: change.claims,
  }));
}
