import type { Clock } from '../../core/clock.ts';
import { hashesEqual, hashSecret, secretKind } from '../../core/credentials.ts';
import { unauthenticated } from '../../core/errors.ts';
import type { Credential } from '../../store/records.ts';
import type { Store } from '../../store/store.ts';
import type { AuthenticatedPrincipal } from '../principal.ts';

export interface ResolvedCredential {
  principal: AuthenticatedPrincipal;
  /** When the credential stops being valid by itself, if ever. */
  expiresAt?: Date;
}

/**
 * Resolves a bearer secret to its principal and when the credential expires (for caches), refusing
 * revoked or expired credentials, deleted principals, users no longer in the credential's organization,
 * and environments that are not running. Messages never repeat the secret.
 */
export async function resolveCredential(
  store: Store,
  clock: Clock,
  secret: string,
): Promise<ResolvedCredential> {
  if (!secretKind(secret)) {
    throw unauthenticated('the credential is malformed: expected an envid access token (envid_..._...)');
  }
  const hash = hashSecret(secret);
  const credential = await store.credentials.findOne({ secretHash: hash });
  if (!credential || !hashesEqual(credential.secretHash, hash))
    throw unauthenticated('the credential is not valid');
  if (credential.revokedAt) throw unauthenticated('the credential has been revoked');
  if (credential.expiresAt && credential.expiresAt.getTime() <= clock.now().getTime()) {
    throw unauthenticated('the credential has expired');
  }
  const principal = await resolvePrincipal(store, credential);
  return credential.expiresAt ? { principal, expiresAt: credential.expiresAt } : { principal };
}

const principalGone = (): Error =>
  unauthenticated('the credential is not valid: its principal no longer exists');

async function resolvePrincipal(store: Store, credential: Credential): Promise<AuthenticatedPrincipal> {
  const { principalKind, principalId, organizationId, id: credentialId } = credential;
  if (principalKind === 'installation_admin') return { kind: 'installation_admin', credentialId };
  if (!principalId) throw principalGone();
  if (principalKind === 'user' && !organizationId) {
    // An account-level token: the user, in no organization.
    if (!(await store.users.find(principalId))) throw principalGone();
    return { kind: 'account', id: principalId, credentialId };
  }
  if (!organizationId) throw principalGone();
  switch (principalKind) {
    case 'user': {
      const membership = await store.memberships.findOne({ organizationId, userId: principalId });
      if (!membership)
        throw unauthenticated('the credential is not valid: its user is no longer in the organization');
      return { kind: 'user', id: principalId, organizationId, role: membership.role, credentialId };
    }
    case 'service_account':
      if (!(await store.serviceAccounts.find(principalId))) throw principalGone();
      return { kind: 'service_account', id: principalId, organizationId, credentialId };
    case 'runner':
      if (!(await store.runners.find(principalId))) throw principalGone();
      return { kind: 'runner', id: principalId, organizationId, credentialId };
    case 'environment': {
      const environment = await store.environments.find(principalId);
      if (!environment) throw principalGone();
      // The holder of the token is the environment itself: it may learn its own state.
      if (environment.status === 'stopped') {
        throw unauthenticated(
          `environment ${principalId} is stopped: its tokens work again once it is started ` +
            `(\`envid env start ${principalId}\`, or by its runner)`,
        );
      }
      if (environment.status !== 'running') {
        throw unauthenticated(`environment ${principalId} is deleted: its tokens no longer work`);
      }
      return { kind: 'environment', id: principalId, organizationId, credentialId };
    }
  }
}
