import { z } from 'zod';
import * as members from '../../../services/members.ts';
import type { Membership, User } from '../../../store/records.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { pagination, uuid } from '../../connect/validation.ts';
import { apiRoleNames, roleInput } from './organization-roles.ts';

/** OrganizationService's members; who may do what is src/services/members.ts. */

export function memberToApi(membership: Membership, user: User) {
  return {
    userId: user.id,
    email: user.email,
    fullName: user.name,
    role: apiRoleNames[membership.role],
    memberSince: formatTimestamp(membership.createdAt),
    status: 'USER_STATUS_ACTIVE',
    ...(user.idp ? { loginProvider: user.idp } : {}),
  };
}

export const listMembers = defineMethod({
  service: 'OrganizationService',
  method: 'ListMembers',
  input: z.object({ organizationId: uuid(), pagination }),
  handler: async (input, call) => {
    const page = await members.listMembers(
      call,
      input.organizationId,
      pageRequest(input.pagination, call.request),
    );
    return pageResponse('members', page, ({ membership, user }) => memberToApi(membership, user));
  },
});

export const addMember = defineMethod({
  service: 'OrganizationService',
  method: 'AddMember',
  input: z.object({ organizationId: uuid(), userId: uuid(), role: roleInput().optional() }),
  handler: async (input, call) => {
    const target = { organizationId: input.organizationId, userId: input.userId };
    const { membership, user } = await members.addMember(call, target, input.role);
    return { member: memberToApi(membership, user) };
  },
});

export const setRole = defineMethod({
  service: 'OrganizationService',
  method: 'SetRole',
  input: z.object({ organizationId: uuid(), userId: uuid(), role: roleInput() }),
  handler: async (input, call) => {
    await members.setRole(call, { organizationId: input.organizationId, userId: input.userId }, input.role);
    return {};
  },
});

export const removeMember = defineMethod({
  service: 'OrganizationService',
  method: 'RemoveMember',
  input: z.object({ organizationId: uuid(), userId: uuid() }),
  handler: async (input, call) => {
    await members.removeMember(call, { organizationId: input.organizationId, userId: input.userId });
    return {};
  },
});

export const memberMethods = [listMembers, addMember, setRole, removeMember];
