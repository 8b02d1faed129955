import { z } from 'zod';
import { type ApiError, notFound, permissionDenied } from '../../../core/errors.ts';
import { newId } from '../../../core/ids.ts';
import { assertCanAdminister, assertCanRead, assertInstallationAdmin } from '../../../services/authorize.ts';
import type { Organization } from '../../../store/records.ts';
import type { Store } from '../../../store/store.ts';
import { defineAccountMethod, defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';
import type { Principal } from '../../principal.ts';
import { inviteDomainsInput } from './invite-domains.ts';

/**
 * OrganizationService: the tenants. The installation admin creates, lists and deletes them; an
 * organization's users read their own and its admins update it (name, invite domains).
 */

export function organizationToApi(organization: Organization) {
  return {
    id: organization.id,
    name: organization.name,
    createdAt: formatTimestamp(organization.createdAt),
    ...(organization.inviteDomains ? { inviteDomains: { domains: organization.inviteDomains } } : {}),
  };
}

/**
 * The organization `id` if it is the one `principal` acts in (any, for the installation admin). Another
 * organization is not even looked up, exactly like an ID that does not exist.
 */
export async function findOrganizationInReach(
  store: Store,
  principal: Principal,
  id: string,
): Promise<Organization | undefined> {
  if (principal.kind !== 'installation_admin' && principal.organizationId !== id) return undefined;
  return store.organizations.find(id);
}

/** The organization, after `guard` (which throws `missing` for whoever may not even see it). */
async function findGuardedOrganization(
  store: Store,
  principal: Principal,
  id: string,
  guard: (principal: Principal, organizationId: string, missing: ApiError) => void,
): Promise<Organization> {
  const missing = notFound('organization', id);
  const organization = await findOrganizationInReach(store, principal, id);
  if (!organization) throw missing;
  guard(principal, organization.id, missing);
  return organization;
}

/** The organization, when `principal` may see it; otherwise not_found, the same as for an unknown ID. */
export const findVisibleOrganization = (store: Store, principal: Principal, id: string) =>
  findGuardedOrganization(store, principal, id, assertCanRead);

/**
 * The organization, when `principal` may change it; not_found when it cannot even see it (as for an
 * unknown ID), permission_denied for a member.
 */
export const findAdministeredOrganization = (store: Store, principal: Principal, id: string) =>
  findGuardedOrganization(store, principal, id, assertCanAdminister);

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

export const updateOrganization = defineMethod({
  service: 'OrganizationService',
  method: 'UpdateOrganization',
  input: z.object({
    organizationId: uuid(),
    name: text(80).nullish(),
    inviteDomains: inviteDomainsInput.nullish(),
  }),
  handler: async (input, { store, principal }) => {
    await findAdministeredOrganization(store, principal, input.organizationId);
    const organization = await store.organizations.update(input.organizationId, (current) => {
      const { inviteDomains: _, ...rest } = current;
      const domains = input.inviteDomains ? input.inviteDomains.domains : current.inviteDomains;
      return {
        ...rest,
        ...(input.name ? { name: input.name } : {}),
        // None is absent, never an empty list.
        ...(domains && domains.length > 0 ? { inviteDomains: domains } : {}),
      };
    });
    return { organization: organizationToApi(organization) };
  },
});

export const listOrganizations = defineAccountMethod({
  service: 'OrganizationService',
  method: 'ListOrganizations',
  input: z.object({ pagination }),
  handler: async (input, { store, principal, request }) => {
    const page = pageRequest(input.pagination, request);
    if (principal.kind === 'installation_admin') {
      return pageResponse('organizations', await store.organizations.list({}, page), organizationToApi);
    }
    if (principal.kind === 'account') {
      // An account-level token: the user's memberships, in the order it joined.
      const memberships = await store.memberships.list({ userId: principal.id }, page);
      const organizations = await Promise.all(
        memberships.items.map((membership) => store.organizations.get(membership.organizationId)),
      );
      const byId = new Map(organizations.map((organization) => [organization.id, organization]));
      return pageResponse('organizations', memberships, (membership) =>
        organizationToApi(byId.get(membership.organizationId)!),
      );
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
  updateOrganization,
  listOrganizations,
  deleteOrganization,
];
