import { z } from 'zod';
import * as joining from '../../../services/joining.ts';
import { defineAccountMethod } from '../../connect/define-method.ts';
import { uuid } from '../../connect/validation.ts';
import { memberToApi } from './organization-members.ts';

/**
 * A user joins an organization by invite or by its verified e-mail domain, and leaves one, by itself
 * (docs/decisions/0020-organization-invites.md); who may do what is src/services/joining.ts.
 */

export const joinOrganization = defineAccountMethod({
  service: 'OrganizationService',
  method: 'JoinOrganization',
  input: z.object({ inviteId: uuid().optional(), organizationId: uuid().optional() }),
  handler: async (input, call) => {
    const { membership, user } = await joining.joinOrganization(call, input);
    return { member: memberToApi(membership, user) };
  },
});

export const leaveOrganization = defineAccountMethod({
  service: 'OrganizationService',
  method: 'LeaveOrganization',
  input: z.object({
    userId: uuid(),
    /** envid extension: which organization; a token of an organization leaves that one. */
    organizationId: uuid().optional(),
  }),
  handler: async (input, call) => {
    await joining.leaveOrganization(call, input);
    return {};
  },
});

export const joinMethods = [joinOrganization, leaveOrganization];
