import type { Clock } from '../../core/clock.ts';
import { generateSecret, hashSecret } from '../../core/credentials.ts';
import { notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { Credential, PrincipalKind } from '../../store/records.ts';
import type { Store } from '../../store/store.ts';

export interface NewCredential {
  principalKind: Exclude<PrincipalKind, 'installation_admin'>;
  principalId: string;
  /** Absent only for a user's account-level token. */
  organizationId?: string;
  description: string;
  expiresAt?: Date;
}

/**
 * Creates a credential and answers its secret. The secret is returned exactly once, here; only its
 * hash is stored.
 */
export async function issueCredential(
  store: Store,
  clock: Clock,
  request: NewCredential,
): Promise<{ credential: Credential; secret: string }> {
  const secret = generateSecret(request.principalKind);
  const credential: Credential = {
    id: newId(),
    principalKind: request.principalKind,
    principalId: request.principalId,
    ...(request.organizationId ? { organizationId: request.organizationId } : {}),
    secretHash: hashSecret(secret),
    description: request.description,
    createdAt: clock.now(),
    ...(request.expiresAt ? { expiresAt: request.expiresAt } : {}),
  };
  await store.credentials.insert(credential);
  return { credential, secret };
}

/** Marks a credential revoked; it is refused from then on. Revoking twice keeps the first time. */
export async function revokeCredential(
  store: Store,
  clock: Clock,
  credentialId: string,
): Promise<Credential> {
  return store.credentials.update(credentialId, (current) =>
    current.revokedAt ? current : { ...current, revokedAt: clock.now() },
  );
}

/**
 * The credential `credentialId` when it is one of that principal's; any other ID, a credential of
 * someone else included, answers not_found as `what` (e.g. "runner token").
 */
export async function findCredentialOf(
  store: Store,
  owner: { principalKind: PrincipalKind; principalId: string },
  credentialId: string,
  what: string,
): Promise<Credential> {
  const credential = await store.credentials.find(credentialId);
  if (credential?.principalKind !== owner.principalKind || credential.principalId !== owner.principalId) {
    throw notFound(what, credentialId);
  }
  return credential;
}
