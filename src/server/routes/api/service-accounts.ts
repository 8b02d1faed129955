import { z } from 'zod';
import * as serviceAccounts from '../../../services/service-accounts.ts';
import type { ServiceAccount } from '../../../store/records.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';

/** ServiceAccountService; who may do what is src/services/service-accounts.ts. */

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
  handler: async (input, call) => ({
    serviceAccount: serviceAccountToApi(await serviceAccounts.createServiceAccount(call, input)),
  }),
});

export const getServiceAccount = defineMethod({
  service: 'ServiceAccountService',
  method: 'GetServiceAccount',
  input: z.object({ serviceAccountId: uuid() }),
  handler: async (input, call) => ({
    serviceAccount: serviceAccountToApi(
      await serviceAccounts.getServiceAccount(call, input.serviceAccountId),
    ),
  }),
});

export const listServiceAccounts = defineMethod({
  service: 'ServiceAccountService',
  method: 'ListServiceAccounts',
  input: z.object({ organizationId: uuid().optional(), pagination }),
  handler: async (input, call) => {
    const page = await serviceAccounts.listServiceAccounts(
      call,
      input.organizationId,
      pageRequest(input.pagination, call.request),
    );
    return pageResponse('serviceAccounts', page, serviceAccountToApi);
  },
});

export const deleteServiceAccount = defineMethod({
  service: 'ServiceAccountService',
  method: 'DeleteServiceAccount',
  input: z.object({ serviceAccountId: uuid() }),
  handler: async (input, call) => {
    await serviceAccounts.deleteServiceAccount(call, input.serviceAccountId);
    return {};
  },
});

export const serviceAccountMethods = [
  createServiceAccount,
  getServiceAccount,
  listServiceAccounts,
  deleteServiceAccount,
];
