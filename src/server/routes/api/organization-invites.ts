import { z } from 'zod';
import * as invites from '../../../services/invites.ts';
import type { OrganizationInvite } from '../../../store/records.ts';
import { defineAccountMethod, defineMethod } from '../../connect/define-method.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { uuid } from '../../connect/validation.ts';

/**
 * Organization invites (docs/decisions/0020-organization-invites.md); who may do what is
 * src/services/invites.ts. The invite ID is a capability: never put it in an error message or a log.
 */

export function inviteToApi(invite: OrganizationInvite) {
  return { inviteId: invite.id, expiresAt: formatTimestamp(invite.expiresAt) };
}

export const createOrganizationInvite = defineMethod({
  service: 'OrganizationService',
  method: 'CreateOrganizationInvite',
  input: z.object({ organizationId: uuid() }),
  handler: async (input, call) => ({
    invite: inviteToApi(await invites.createOrganizationInvite(call, input.organizationId)),
  }),
});

/** The live invite; an organization without one gets one (as Ona's console does). */
export const getOrganizationInvite = defineMethod({
  service: 'OrganizationService',
  method: 'GetOrganizationInvite',
  input: z.object({ organizationId: uuid() }),
  handler: async (input, call) => ({
    invite: inviteToApi(await invites.getOrganizationInvite(call, input.organizationId)),
  }),
});

/** What a user sees before joining: the organization's ID and name, and nothing of its members. */
export const getOrganizationInviteSummary = defineAccountMethod({
  service: 'OrganizationService',
  method: 'GetOrganizationInviteSummary',
  input: z.object({ inviteId: uuid() }),
  handler: async (input, call) => {
    const organization = await invites.getOrganizationInviteSummary(call, input.inviteId);
    return { organizationId: organization.id, organizationName: organization.name };
  },
});

export const inviteMethods = [createOrganizationInvite, getOrganizationInvite, getOrganizationInviteSummary];
