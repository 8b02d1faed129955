import { z } from 'zod';
import { notFound, permissionDenied } from '../../../core/errors.ts';
import { newId } from '../../../core/ids.ts';
import type { Organization } from '../../../store/records.ts';
import type { Store } from '../../../store/store.ts';
import { assertCanRead, assertInstallationAdmin } from '../../auth/authorize.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';
import type { Principal } from '../../principal.ts';

/**
 * OrganizationService: the tenants. The installation admin creates, lists and deletes them; an
 * organization's users read their own.
 */

export function organizationToApi(organization: Organization) {
  return {
    id: organization.id,
    name: organization.name,
    createdAt: formatTimestamp(organization.createdAt),
  };
}

/** The organization, when `principal` may see it; otherwise not_found, the same as for an unknown ID. */
export async function findVisibleOrganization(
  store: Store,
  principal: Principal,
  id: string,
): Promise<Organization> {
  const missing = notFound('organization', id);
  const organization = await store.organizations.find(id);
  if (!organization) throw missing;
  assertCanRead(principal, organization.id, missing);
  return organization;
}

export const createOrganization = defineMethod({
  service: 'OrganizationService',
  method: 'CreateOrganization',
  input: z.object({
    name: text(80),
    // Accepted for SDK compatibility; envid has no invitations and the installation admin is no user.
    inviteAccountsWithMatchingDomain: z.boolean().optional(),
    joinOrganization: z.boolean().optional(),
  }),
  handler: async (input, { store, clock, principal }) => {
    assertInstallationAdmin(principal, 'create organizations');
    const organization = await store.organizations.insert({
      id: newId(),
      name: input.name,
      oidcConfig: { version: 'v3', extraSubFields: [] },
      createdAt: clock.now(),
    });
    return { organization: organizationToApi(organization) };
  },
});

export const getOrganization = defineMethod({
  service: 'OrganizationService',
  method: 'GetOrganization',
  input: z.object({ organizationId: uuid() }),
  handler: async (input, { store, principal }) => ({
    organization: organizationToApi(await findVisibleOrganization(store, principal, input.organizationId)),
  }),
});

export const listOrganizations = defineMethod({
  service: 'OrganizationService',
  method: 'ListOrganizations',
  input: z.object({ pagination }),
  handler: async (input, { store, principal, request }) => {
    const page = pageRequest(input.pagination, request);
    if (principal.kind === 'installation_admin') {
      return pageResponse('organizations', await store.organizations.list({}, page), organizationToApi);
    }
    if (principal.kind !== 'user') {
      throw permissionDenied(`a ${principal.kind.replace('_', ' ')} credential may not list organizations`);
    }
    // A user acts in the one organization its token is bound to, so that is the whole list.
    return pageResponse(
      'organizations',
      await store.organizations.list({ id: principal.organizationId }, page),
      organizationToApi,
    );
  },
});

export const deleteOrganization = defineMethod({
  service: 'OrganizationService',
  method: 'DeleteOrganization',
  input: z.object({ organizationId: uuid() }),
  handler: async (input, { store, principal }) => {
    // Refused before any lookup, so the answer says nothing about the ID.
    assertInstallationAdmin(principal, 'delete organizations');
    if (!(await store.organizations.find(input.organizationId))) {
      throw notFound('organization', input.organizationId);
    }
    // Memberships, service accounts, runners, projects, environments and credentials go with it.
    await store.organizations.delete(input.organizationId);
    return {};
  },
});

export const organizationMethods = [
  createOrganization,
  getOrganization,
  listOrganizations,
  deleteOrganization,
];
