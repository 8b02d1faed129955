import { z } from 'zod';
import type { Clock } from '../../../core/clock.ts';
import { ApiError, permissionDenied } from '../../../core/errors.ts';
import { newId } from '../../../core/ids.ts';
import { assertManagesMembers } from '../../../services/members.ts';
import type { OrganizationInvite } from '../../../store/records.ts';
import type { Store } from '../../../store/store.ts';
import { defineAccountMethod, defineMethod } from '../../connect/define-method.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { uuid } from '../../connect/validation.ts';

/**
 * Organization invites (docs/decisions/0020-organization-invites.md): an organization has at most one
 * live invite; whoever knows its ID may join the organization as a member (JoinOrganization) until it
 * expires or an admin creates a new one, which replaces it. The ID is a capability: it is answered only
 * to the organization's admins (and the installation admin), and never put in an error message (the
 * server logs refusals) or a log.
 */

/** How long an invite lets users join. */
export const inviteLifetimeMs = 7 * 24 * 60 * 60 * 1000;

export function inviteToApi(invite: OrganizationInvite) {
  return { inviteId: invite.id, expiresAt: formatTimestamp(invite.expiresAt) };
}

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

export const createOrganizationInvite = defineMethod({
  service: 'OrganizationService',
  method: 'CreateOrganizationInvite',
  input: z.object({ organizationId: uuid() }),
  handler: async (input, { store, clock, principal }) => {
    await assertManagesMembers(store, principal, input.organizationId);
    return { invite: inviteToApi(await replaceInvite(store, clock, input.organizationId, false)) };
  },
});

/** The live invite; an organization without one gets one (as Ona's console does). */
export const getOrganizationInvite = defineMethod({
  service: 'OrganizationService',
  method: 'GetOrganizationInvite',
  input: z.object({ organizationId: uuid() }),
  handler: async (input, { store, clock, principal }) => {
    await assertManagesMembers(store, principal, input.organizationId);
    const current = await store.organizationInvites.findOne({ organizationId: input.organizationId });
    const invite = isLive(current, clock)
      ? current
      : await replaceInvite(store, clock, input.organizationId, true);
    return { invite: inviteToApi(invite) };
  },
});

/** What a user sees before joining: the organization's ID and name, and nothing of its members. */
export const getOrganizationInviteSummary = defineAccountMethod({
  service: 'OrganizationService',
  method: 'GetOrganizationInviteSummary',
  input: z.object({ inviteId: uuid() }),
  handler: async (input, { store, clock, principal }) => {
    if (
      principal.kind !== 'user' &&
      principal.kind !== 'account' &&
      principal.kind !== 'installation_admin'
    ) {
      throw permissionDenied(`a ${principal.kind.replace('_', ' ')} credential joins no organization`);
    }
    const invite = await findLiveInvite(store, clock, input.inviteId);
    if (!invite) throw inviteNotFound();
    const organization = await store.organizations.get(invite.organizationId);
    return { organizationId: organization.id, organizationName: organization.name };
  },
});

export const inviteMethods = [createOrganizationInvite, getOrganizationInvite, getOrganizationInviteSummary];
