import type { Clock } from '../core/clock.ts';
import { ApiError, permissionDenied } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Organization, OrganizationInvite } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import type { ServiceContext } from './context.ts';
import { assertManagesMembers } from './members.ts';
import type { AuthenticatedPrincipal } from './principal.ts';

/**
 * Organization invites (docs/decisions/0020-organization-invites.md): an organization has at most one
 * live invite; whoever knows its ID may join the organization as a member (joining.ts) until it
 * expires or an admin creates a new one, which replaces it. The ID is a capability: it is answered only
 * to the organization's admins (and the installation admin), and never put in an error message (the
 * server logs refusals) or a log.
 */

/** How long an invite lets users join. */
export const inviteLifetimeMs = 7 * 24 * 60 * 60 * 1000;

const isLive = (invite: OrganizationInvite | undefined, clock: Clock): invite is OrganizationInvite =>
  invite !== undefined && invite.expiresAt.getTime() > clock.now().getTime();

/** The invite `id` while it lets users join; else undefined (unknown, replaced or expired alike). */
export async function findLiveInvite(
  store: Store,
  clock: Clock,
  id: string,
): Promise<OrganizationInvite | undefined> {
  const invite = await store.organizationInvites.find(id);
  return isLive(invite, clock) ? invite : undefined;
}

/** One answer for every invite that does not let anyone join; it never repeats the ID. */
export const inviteNotFound = (): ApiError =>
  new ApiError(
    'not_found',
    'invite not found: it may have expired or been replaced; ask an admin of the organization for a new one',
  );

/**
 * Makes a new invite for `organizationId`, replacing the old one unless `keepLive` and it is still
 * live. The organization's row is locked, so concurrent calls leave one invite and joins serialize.
 */
async function replaceInvite(
  store: Store,
  clock: Clock,
  organizationId: string,
  keepLive: boolean,
): Promise<OrganizationInvite> {
  return store.transaction(async (tx) => {
    await tx.organizations.update(organizationId, (organization) => organization);
    const current = await tx.organizationInvites.findOne({ organizationId });
    if (keepLive && isLive(current, clock)) return current;
    await tx.organizationInvites.deleteWhere({ organizationId });
    const now = clock.now();
    return tx.organizationInvites.insert({
      id: newId(),
      organizationId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + inviteLifetimeMs),
    });
  });
}

/** A new invite, replacing the live one (its ID admits nobody afterwards). Admins only. */
export async function createOrganizationInvite(
  { store, clock, principal }: ServiceContext,
  organizationId: string,
): Promise<OrganizationInvite> {
  await assertManagesMembers(store, principal, organizationId);
  return replaceInvite(store, clock, organizationId, false);
}

/** The live invite; an organization without one gets one (as Ona's console does). Admins only. */
export async function getOrganizationInvite(
  { store, clock, principal }: ServiceContext,
  organizationId: string,
): Promise<OrganizationInvite> {
  await assertManagesMembers(store, principal, organizationId);
  const current = await store.organizationInvites.findOne({ organizationId });
  return isLive(current, clock) ? current : replaceInvite(store, clock, organizationId, true);
}

/**
 * The organization a live invite is for, to any user holding its ID (and the installation admin). The
 * caller shows it its ID and name only, nothing of its members.
 */
export async function getOrganizationInviteSummary(
  { store, clock, principal }: ServiceContext<AuthenticatedPrincipal>,
  inviteId: string,
): Promise<Organization> {
  if (principal.kind !== 'user' && principal.kind !== 'account' && principal.kind !== 'installation_admin') {
    throw permissionDenied(`a ${principal.kind.replace('_', ' ')} credential joins no organization`);
  }
  const invite = await findLiveInvite(store, clock, inviteId);
  if (!invite) throw inviteNotFound();
  return store.organizations.get(invite.organizationId);
}
