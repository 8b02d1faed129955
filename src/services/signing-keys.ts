import type { SigningAlgorithm } from '../core/domain/public-jwk.ts';
import { failedPrecondition, notFound } from '../core/errors.ts';
import type { RotationDecision, RotationRequest } from '../core/keys/plan-rotation.ts';
import type { SigningKey } from '../store/records.ts';
import { assertInstallationAdmin } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import type { Principal } from './principal.ts';

/**
 * The token signing keys: only the installation admin lists them, rotates them on demand and revokes
 * one in an emergency. The keys themselves are the server's (its key manager holds the signing key in
 * memory and rotates under a lock), so a call is handed the part of it this needs.
 */

/** What these calls need of the server's key manager. */
export interface SigningKeySet {
  /** The stored keys (public parts only are ever answered). */
  list(): Promise<SigningKey[]>;
  /** Plans and applies a rotation; `actor` is recorded in the audit log. */
  reconcile(request: RotationRequest, actor?: Principal): Promise<RotationDecision[]>;
}

/** The keys and what a rotation decided. */
export interface RotationOutcome {
  decisions: RotationDecision[];
  /** Every key after it, current first. */
  keys: SigningKey[];
}

const stateOrder = { current: 0, next: 1, retired: 2 } as const;

/** Current, next, retired: the order in which they sign. */
async function listSorted(keys: SigningKeySet): Promise<SigningKey[]> {
  return [...(await keys.list())].sort((a, b) => stateOrder[a.state] - stateOrder[b.state]);
}

export async function listSigningKeys({ principal }: ServiceContext, keys: SigningKeySet) {
  assertInstallationAdmin(principal, 'list signing keys');
  return listSorted(keys);
}

/**
 * Rotates `algorithm`'s keys now (creating them if it has none yet). `rotated` is false while the next key has not been published long enough for relying
 * parties to know it (it then takes over as soon as it has).
 */
export async function rotateSigningKeys(
  { principal }: ServiceContext,
  keys: SigningKeySet,
  algorithm: SigningAlgorithm = 'RS256',
): Promise<RotationOutcome & { rotated: boolean }> {
  assertInstallationAdmin(principal, 'rotate signing keys');
  const decisions = await keys.reconcile({ rotate: true, algorithm }, principal);
  const rotated = decisions.some((d) => d.action === 'promote');
  return { rotated, decisions, keys: await listSorted(keys) };
}

/** Drops the key from the JWKS at once; the only key cannot go (nothing would sign). */
export async function revokeSigningKey(
  { principal }: ServiceContext,
  keys: SigningKeySet,
  keyId: string,
): Promise<RotationOutcome> {
  assertInstallationAdmin(principal, 'revoke signing keys');
  const all = await keys.list();
  if (!all.some((k) => k.id === keyId)) throw notFound('signing key', keyId);
  if (all.length === 1) throw failedPrecondition('the only signing key cannot be revoked');
  const decisions = await keys.reconcile({ revoke: [keyId] }, principal);
  return { decisions, keys: await listSorted(keys) };
}
