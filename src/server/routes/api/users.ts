import { z } from 'zod';
import {
  emailAddressPattern,
  emailAddressRule,
  maxEmailAddressLength,
  maxLocalPartLength,
} from '../../../core/email-address.ts';
import * as users from '../../../services/users.ts';
import type { User } from '../../../store/records.ts';
import { defineAccountMethod, defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';

/** UserService: people; who may do what is src/services/users.ts. */

export function userToApi(user: User) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    createdAt: formatTimestamp(user.createdAt),
    status: 'USER_STATUS_ACTIVE',
    ...(user.idp ? { idp: user.idp } : {}),
  };
}

/** E-mail addresses are compared without regard to case, so they are kept in lower case. */
const email = () =>
  z
    .string()
    .trim()
    .max(maxEmailAddressLength, { error: `must be at most ${maxEmailAddressLength} characters` })
    .refine((value) => value.indexOf('@') === -1 || value.lastIndexOf('@') <= maxLocalPartLength, {
      error: `must have at most ${maxLocalPartLength} characters before the @`,
    })
    .regex(emailAddressPattern, { error: emailAddressRule })
    .transform((value) => value.toLowerCase());

export const createUser = defineMethod({
  service: 'UserService',
  method: 'CreateUser',
  input: z.object({ email: email(), name: text(120) }),
  handler: async (input, call) => ({ user: userToApi(await users.createUser(call, input)) }),
});

export const getUser = defineMethod({
  service: 'UserService',
  method: 'GetUser',
  input: z.object({ userId: uuid() }),
  handler: async (input, call) => ({ user: userToApi(await users.getUser(call, input.userId)) }),
});

export const listUsers = defineMethod({
  service: 'UserService',
  method: 'ListUsers',
  input: z.object({ pagination }),
  handler: async (input, call) =>
    pageResponse(
      'users',
      await users.listUsers(call, pageRequest(input.pagination, call.request)),
      userToApi,
    ),
});

export const deleteUser = defineMethod({
  service: 'UserService',
  method: 'DeleteUser',
  input: z.object({ userId: uuid() }),
  handler: async (input, call) => {
    await users.deleteUser(call, input.userId);
    return {};
  },
});

export const getAuthenticatedUser = defineAccountMethod({
  service: 'UserService',
  method: 'GetAuthenticatedUser',
  input: z.object({ empty: z.boolean().optional() }),
  handler: async (_input, call) => {
    const { user, organizationId } = await users.getAuthenticatedUser(call);
    // An account-level token acts in no organization.
    return { user: { ...userToApi(user), ...(organizationId ? { organizationId } : {}) } };
  },
});

export const userMethods = [createUser, getUser, listUsers, deleteUser, getAuthenticatedUser];
