import { type ApiError, notFound, permissionDenied } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Organization } from '../store/records.ts';
import type { Page, PageRequest, Store } from '../store/store.ts';
import { assertCanAdminister, assertCanRead, assertInstallationAdmin } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import type { AuthenticatedPrincipal, Principal } from './principal.ts';

/**
 * Organizations, the tenants: the installation admin creates, lists and deletes them; an
 * organization's users read their own and its admins update it (name, invite domains).
 */

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

export async function createOrganization(
  { store, clock, principal }: ServiceContext,
  request: { name: string },
): Promise<Organization> {
  assertInstallationAdmin(principal, 'create organizations');
  return store.organizations.insert({
    id: newId(),
    name: request.name,
    oidcConfig: { version: 'v3', extraSubFields: [] },
    createdAt: clock.now(),
  });
}

export const getOrganization = ({ store, principal }: ServiceContext, id: string) =>
  findVisibleOrganization(store, principal, id);

export interface OrganizationChange {
  /** Absent or empty: unchanged. */
  name?: string | null | undefined;
  /** Absent: unchanged; a list replaces them, and an empty one removes them all. */
  inviteDomains?: string[] | undefined;
}

export async function updateOrganization(
  { store, principal }: ServiceContext,
  id: string,
  change: OrganizationChange,
): Promise<Organization> {
  await findAdministeredOrganization(store, principal, id);
  return store.organizations.update(id, (current) => {
    const { inviteDomains: _, ...rest } = current;
    const domains = change.inviteDomains ?? current.inviteDomains;
    return {
      ...rest,
      ...(change.name ? { name: change.name } : {}),
      // None is absent, never an empty list.
      ...(domains && domains.length > 0 ? { inviteDomains: domains } : {}),
    };
  });
}

/**
 * The organizations the caller may list: all for the installation admin, the user's memberships (in
 * the order it joined) for an account-level token, the one its token is bound to for a user.
 */
export async function listOrganizations(
  { store, principal }: ServiceContext<AuthenticatedPrincipal>,
  page: PageRequest,
): Promise<Page<Organization>> {
  if (principal.kind === 'installation_admin') return store.organizations.list({}, page);
  if (principal.kind === 'account') {
    const memberships = await store.memberships.list({ userId: principal.id }, page);
    const items = await Promise.all(
      memberships.items.map((membership) => store.organizations.get(membership.organizationId)),
    );
    return { ...memberships, items };
  }
  if (principal.kind !== 'user') {
    throw permissionDenied(`a ${principal.kind.replace('_', ' ')} credential may not list organizations`);
  }
  // A user acts in the one organization its token is bound to, so that is the whole list.
  return store.organizations.list({ id: principal.organizationId }, page);
}

/** Memberships, service accounts, runners, projects, environments and credentials go with it. */
export async function deleteOrganization({ store, principal }: ServiceContext, id: string): Promise<void> {
  // Refused before any lookup, so the answer says nothing about the ID.
  assertInstallationAdmin(principal, 'delete organizations');
  if (!(await store.organizations.find(id))) throw notFound('organization', id);
  await store.organizations.delete(id);
}
