import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { hashSecret } from '../core/credentials.ts';
import { newId } from '../core/ids.ts';
import type { BrowserSession } from '../store/records.ts';
import type { Store } from '../store/store.ts';

/**
 * Browser sessions (the console's sign-in): the cookie holds a random secret, the store its SHA-256,
 * so a session can be revoked and a stolen database holds no usable cookie.
 */

export const sessionLifetimeMs = 12 * 60 * 60 * 1000;
const prefix = 'envid_session_';

/** A new session for `userId`; the one `previousSecret` names (if any) is revoked: sessions rotate at sign-in. */
export async function startBrowserSession(
  store: Store,
  clock: Clock,
  userId: string,
  previousSecret?: string,
): Promise<{ secret: string; session: BrowserSession }> {
  if (previousSecret) await revokeBrowserSession(store, clock, previousSecret);
  const secret = `${prefix}${randomBytes(32).toString('base64url')}`;
  const now = clock.now();
  const session = await store.browserSessions.insert({
    id: newId(),
    userId,
    secretHash: hashSecret(secret),
    createdAt: now,
    expiresAt: new Date(now.getTime() + sessionLifetimeMs),
  });
  return { secret, session };
}

/** The live session a cookie's secret names, or undefined (unknown, expired or revoked alike). */
export async function findBrowserSession(
  store: Store,
  clock: Clock,
  secret: string,
): Promise<BrowserSession | undefined> {
  if (!secret.startsWith(prefix)) return undefined;
  const session = await store.browserSessions.findOne({ secretHash: hashSecret(secret) });
  if (!session || session.revokedAt || session.expiresAt.getTime() <= clock.now().getTime()) return undefined;
  return session;
}

export async function revokeBrowserSession(store: Store, clock: Clock, secret: string): Promise<void> {
  const session = await findBrowserSession(store, clock, secret);
  if (session) await store.browserSessions.update(session.id, (row) => ({ ...row, revokedAt: clock.now() }));
}
