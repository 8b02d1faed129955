import { z } from 'zod';
import * as organizations from '../../../services/organizations.ts';
import type { Organization } from '../../../store/records.ts';
import { defineAccountMethod, defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';
import { inviteDomainsInput } from './invite-domains.ts';

/** OrganizationService: the tenants; who may do what is src/services/organizations.ts. */

export function organizationToApi(organization: Organization) {
  return {
    id: organization.id,
    name: organization.name,
    createdAt: formatTimestamp(organization.createdAt),
    ...(organization.inviteDomains ? { inviteDomains: { domains: organization.inviteDomains } } : {}),
  };
}

export const createOrganization = defineMethod({
  service: 'OrganizationService',
  method: 'CreateOrganization',
  input: z.object({
    name: text(80),
    // Accepted for SDK compatibility: the installation admin is no user, so it has no domain to invite
    // and joins nothing (invite domains are set with UpdateOrganization).
    inviteAccountsWithMatchingDomain: z.boolean().optional(),
    joinOrganization: z.boolean().optional(),
  }),
  handler: async (input, call) => ({
    organization: organizationToApi(await organizations.createOrganization(call, input)),
  }),
});

export const getOrganization = defineMethod({
  service: 'OrganizationService',
  method: 'GetOrganization',
  input: z.object({ organizationId: uuid() }),
  handler: async (input, call) => ({
    organization: organizationToApi(await organizations.getOrganization(call, input.organizationId)),
  }),
});

export const updateOrganization = defineMethod({
  service: 'OrganizationService',
  method: 'UpdateOrganization',
  input: z.object({
    organizationId: uuid(),
    name: text(80).nullish(),
    inviteDomains: inviteDomainsInput.nullish(),
  }),
  handler: async (input, call) => {
    const organization = await organizations.updateOrganization(call, input.organizationId, {
      name: input.name,
      inviteDomains: input.inviteDomains?.domains,
    });
    return { organization: organizationToApi(organization) };
  },
});

export const listOrganizations = defineAccountMethod({
  service: 'OrganizationService',
  method: 'ListOrganizations',
  input: z.object({ pagination }),
  handler: async (input, call) => {
    const page = await organizations.listOrganizations(call, pageRequest(input.pagination, call.request));
    return pageResponse('organizations', page, organizationToApi);
  },
});

export const deleteOrganization = defineMethod({
  service: 'OrganizationService',
  method: 'DeleteOrganization',
  input: z.object({ organizationId: uuid() }),
  handler: async (input, call) => {
    await organizations.deleteOrganization(call, input.organizationId);
    return {};
  },
});

export const organizationMethods = [
  createOrganization,
  getOrganization,
  updateOrganization,
  listOrganizations,
  deleteOrganization,
];
