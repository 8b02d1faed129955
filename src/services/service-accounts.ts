import { notFound, permissionDenied } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { ServiceAccount } from '../store/records.ts';
import type { Page, PageRequest, Store } from '../store/store.ts';
import {
  assertCanAdminister,
  assertCanRead,
  canAdministerOrganization,
  inCallerOrganization,
  isSelf,
} from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { revokePrincipalCredentials } from './credentials/revoke-principal-credentials.ts';
import { organizationForCreate, organizationForList } from './organization-scope.ts';
import type { Principal } from './principal.ts';

/**
 * Service accounts: non-human members of an organization, for automation. Organization admins manage
 * them and their tokens; members read them; a service account's own credential reads only itself.
 */

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

/** An admin of the organization (the installation admin names it) creates one. */
export async function createServiceAccount(
  { store, clock, principal }: ServiceContext,
  request: { name: string; organizationId?: string | undefined },
): Promise<ServiceAccount> {
  const organizationId = await organizationForCreate(store, principal, request.organizationId);
  assertCanAdminister(principal, organizationId, notFound('organization', organizationId));
  return store.serviceAccounts.insert({
    id: newId(),
    organizationId,
    name: request.name,
    createdAt: clock.now(),
  });
}

export const getServiceAccount = ({ store, principal }: ServiceContext, id: string) =>
  findVisibleServiceAccount(store, principal, id);

/** The caller's organization's (any, or the one named, for the installation admin). */
export async function listServiceAccounts(
  { store, principal }: ServiceContext,
  requestedOrganizationId: string | undefined,
  page: PageRequest,
): Promise<Page<ServiceAccount>> {
  const organizationId = organizationForList(principal, requestedOrganizationId, 'service accounts');
  return store.serviceAccounts.list(organizationId ? { organizationId } : {}, page);
}

/** Its credentials are revoked with it. */
export async function deleteServiceAccount({ store, clock, principal }: ServiceContext, id: string) {
  const serviceAccount = await findManagedServiceAccount(store, principal, id);
  await store.transaction(async (tx) => {
    await revokePrincipalCredentials(tx, clock, {
      principalKind: 'service_account',
      principalId: serviceAccount.id,
    });
    await tx.serviceAccounts.delete(serviceAccount.id);
  });
}
