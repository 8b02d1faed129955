import { notFound, permissionDenied } from '../../core/errors.ts';
import type { Credential } from '../../store/records.ts';
import { canAdministerOrganization, canReadOrganization, inCallerOrganization } from '../authorize.ts';
import type { ServiceContext } from '../context.ts';
import { findManagedServiceAccount, findVisibleServiceAccount } from '../service-accounts.ts';
import { credentialLifecycle } from './lifecycle.ts';

/**
 * A service account's access tokens: organization admins create and revoke them, members list them
 * (never the secret, which only the create call answers).
 */

/** The token, when the caller may see it; otherwise not_found, the same as for an unknown ID. */
async function findVisibleToken({ store, principal }: ServiceContext, id: string): Promise<Credential> {
  const missing = notFound('service account token', id);
  const credential = await store.credentials.findOne({
    ...inCallerOrganization(principal, id),
    principalKind: 'service_account',
  });
  if (!credential?.organizationId) throw missing;
  if (!canReadOrganization(principal, credential.organizationId)) throw missing;
  return credential;
}

export const serviceAccountTokens = credentialLifecycle<
  { serviceAccountId: string },
  { serviceAccountId: string },
  { serviceAccountTokenId: string }
>({
  defaultDescription: 'service account token',
  async ownerForCreate({ store, principal }, { serviceAccountId }) {
    const serviceAccount = await findManagedServiceAccount(store, principal, serviceAccountId);
    return {
      principalKind: 'service_account',
      principalId: serviceAccount.id,
      organizationId: serviceAccount.organizationId,
    };
  },
  async listFilter({ store, principal }, { serviceAccountId }) {
    const serviceAccount = await findVisibleServiceAccount(store, principal, serviceAccountId, false);
    return { principalKind: 'service_account', principalId: serviceAccount.id };
  },
  async findRevocable(context, { serviceAccountTokenId }) {
    const credential = await findVisibleToken(context, serviceAccountTokenId);
    if (!canAdministerOrganization(context.principal, credential.organizationId!)) {
      throw permissionDenied('only an admin of the organization may revoke service account tokens');
    }
    return credential;
  },
});
