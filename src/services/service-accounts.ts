import { notFound, permissionDenied } from '../core/errors.ts';
import type { ServiceAccount } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { assertCanRead, canAdministerOrganization, inCallerOrganization, isSelf } from './authorize.ts';
import type { Principal } from './principal.ts';

/**
 * The service account, when `principal` may see it (`allowSelf`: its own credential counts); otherwise
 * not_found, the same as for an unknown ID.
 */
export async function findVisibleServiceAccount(
  store: Store,
  principal: Principal,
  id: string,
  allowSelf = true,
): Promise<ServiceAccount> {
  const missing = notFound('service account', id);
  const serviceAccount = await store.serviceAccounts.findOne(inCallerOrganization(principal, id));
  if (!serviceAccount) throw missing;
  const self = allowSelf && isSelf(principal, 'service_account', id);
  assertCanRead(principal, serviceAccount.organizationId, missing, self);
  return serviceAccount;
}

/** The service account, when `principal` may manage it; not_found when it cannot even see it. */
export async function findManagedServiceAccount(
  store: Store,
  principal: Principal,
  id: string,
): Promise<ServiceAccount> {
  const serviceAccount = await findVisibleServiceAccount(store, principal, id, false);
  // It is visible, so refusing with permission_denied leaks nothing.
  if (!canAdministerOrganization(principal, serviceAccount.organizationId)) {
    throw permissionDenied('only an admin of the organization may do this');
  }
  return serviceAccount;
}
