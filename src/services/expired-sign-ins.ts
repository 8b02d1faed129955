import type { Store } from '../store/store.ts';

/** How many expired sign-ins one new sign-in deletes at most: more than it adds, so the table shrinks. */
export const expiredSignInsPerStart = 100;

/**
 * Deletes up to `expiredSignInsPerStart` pending browser sign-ins (state, nonce, PKCE verifier) that
 * expired by `now`: a browser that never came back from the provider leaves its row behind, and
 * deleting on write (at every /sso/start) keeps the table bounded without a background job. Every
 * row expires `lifetimeMs` after it was created, so the expired ones are among those created before
 * `now - lifetimeMs` (found through the created-time range); each is checked against its own expiry
 * anyway. Answers how many it deleted.
 */
export async function deleteExpiredSignIns(store: Store, now: Date, lifetimeMs: number): Promise<number> {
  const old = await store.ssoSignIns.list(
    {},
    { pageSize: expiredSignInsPerStart },
    { before: new Date(now.getTime() - lifetimeMs + 1) },
  );
  const expired = old.items.filter((row) => row.expiresAt.getTime() <= now.getTime()).map((row) => row.id);
  if (expired.length === 0) return 0;
  return store.ssoSignIns.deleteWhere({ id: expired });
}
