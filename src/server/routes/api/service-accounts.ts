import { z } from 'zod';
import { notFound } from '../../../core/errors.ts';
import { newId } from '../../../core/ids.ts';
import { assertCanAdminister } from '../../../services/authorize.ts';
import { revokePrincipalCredentials } from '../../../services/credentials/revoke-principal-credentials.ts';
import { findManagedServiceAccount, findVisibleServiceAccount } from '../../../services/service-accounts.ts';
import type { ServiceAccount } from '../../../store/records.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';
import { organizationForCreate, organizationForList } from './organization-scope.ts';

/**
 * ServiceAccountService: non-human members of an organization, for automation. Organization admins
 * manage them and their tokens; members read them; a service account's own credential reads only itself.
 */

export function serviceAccountToApi(serviceAccount: ServiceAccount) {
  return {
    id: serviceAccount.id,
    organizationId: serviceAccount.organizationId,
    name: serviceAccount.name,
    createdAt: formatTimestamp(serviceAccount.createdAt),
  };
}

export const createServiceAccount = defineMethod({
  service: 'ServiceAccountService',
  method: 'CreateServiceAccount',
  input: z.object({
    name: text(80),
    /** The installation admin names the organization; an organization's admin acts in its own. */
    organizationId: uuid().optional(),
  }),
  handler: async (input, { store, clock, principal }) => {
    const organizationId = await organizationForCreate(store, principal, input.organizationId);
    assertCanAdminister(principal, organizationId, notFound('organization', organizationId));
    const serviceAccount = await store.serviceAccounts.insert({
      id: newId(),
      organizationId,
      name: input.name,
      createdAt: clock.now(),
    });
    return { serviceAccount: serviceAccountToApi(serviceAccount) };
  },
});

export const getServiceAccount = defineMethod({
  service: 'ServiceAccountService',
  method: 'GetServiceAccount',
  input: z.object({ serviceAccountId: uuid() }),
  handler: async (input, { store, principal }) => ({
    serviceAccount: serviceAccountToApi(
      await findVisibleServiceAccount(store, principal, input.serviceAccountId),
    ),
  }),
});

export const listServiceAccounts = defineMethod({
  service: 'ServiceAccountService',
  method: 'ListServiceAccounts',
  input: z.object({ organizationId: uuid().optional(), pagination }),
  handler: async (input, { store, principal, request }) => {
    const organizationId = organizationForList(principal, input.organizationId, 'service accounts');
    const page = await store.serviceAccounts.list(
      organizationId ? { organizationId } : {},
      pageRequest(input.pagination, request),
    );
    return pageResponse('serviceAccounts', page, serviceAccountToApi);
  },
});

export const deleteServiceAccount = defineMethod({
  service: 'ServiceAccountService',
  method: 'DeleteServiceAccount',
  input: z.object({ serviceAccountId: uuid() }),
  handler: async (input, { store, clock, principal }) => {
    const serviceAccount = await findManagedServiceAccount(store, principal, input.serviceAccountId);
    await store.transaction(async (tx) => {
      await revokePrincipalCredentials(tx, clock, {
        principalKind: 'service_account',
        principalId: serviceAccount.id,
      });
      await tx.serviceAccounts.delete(serviceAccount.id);
    });
    return {};
  },
});

export const serviceAccountMethods = [
  createServiceAccount,
  getServiceAccount,
  listServiceAccounts,
  deleteServiceAccount,
];
