import { z } from 'zod';
import {
  emailAddressPattern,
  emailAddressRule,
  maxEmailAddressLength,
  maxLocalPartLength,
} from '../../../core/email-address.ts';
import { ApiError, notFound, permissionDenied } from '../../../core/errors.ts';
import { newId } from '../../../core/ids.ts';
import { assertInstallationAdmin, isSelf } from '../../../services/authorize.ts';
import { revokePrincipalCredentials } from '../../../services/credentials/revoke-principal-credentials.ts';
import { AlreadyExistsError } from '../../../store/errors.ts';
import type { User } from '../../../store/records.ts';
import type { Store } from '../../../store/store.ts';
import { defineAccountMethod, defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';
import type { Principal } from '../../principal.ts';

/**
 * UserService: people. The installation admin creates, lists and deletes users (organization admins
 * then add them to their organization); a user reads itself and the members of its organization.
 */

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

/**
 * The user, when `principal` may see it: the installation admin sees everyone, a user itself and the
 * members of the organization it acts in. Otherwise not_found, the same as for an unknown ID.
 */
export async function findVisibleUser(store: Store, principal: Principal, id: string): Promise<User> {
  const missing = notFound('user', id);
  if (principal.kind !== 'installation_admin' && !isSelf(principal, 'user', id)) {
    // Membership first: a user of another organization and an unknown ID then cost the same one query
    // with the same empty answer (looking the user up first took a second query for the former).
    if (principal.kind !== 'user') throw missing;
    const membership = await store.memberships.findOne({
      organizationId: principal.organizationId,
      userId: id,
    });
    if (!membership) throw missing;
  }
  const user = await store.users.find(id);
  if (!user) throw missing;
  return user;
}

export const createUser = defineMethod({
  service: 'UserService',
  method: 'CreateUser',
  input: z.object({ email: email(), name: text(120) }),
  handler: async (input, { store, clock, principal }) => {
    assertInstallationAdmin(principal, 'create users');
    const alreadyExists = () =>
      new ApiError('already_exists', `a user with email ${input.email} already exists`);
    if (await store.users.findOne({ email: input.email })) throw alreadyExists();
    try {
      const user = await store.users.insert({
        id: newId(),
        email: input.email,
        name: input.name,
        // The installation admin vouches for the address it gives.
        emailVerified: true,
        createdAt: clock.now(),
      });
      return { user: userToApi(user) };
    } catch (error) {
      if (error instanceof AlreadyExistsError) throw alreadyExists(); // lost a race with another create
      throw error;
    }
  },
});

export const getUser = defineMethod({
  service: 'UserService',
  method: 'GetUser',
  input: z.object({ userId: uuid() }),
  handler: async (input, { store, principal }) => ({
    user: userToApi(await findVisibleUser(store, principal, input.userId)),
  }),
});

export const listUsers = defineMethod({
  service: 'UserService',
  method: 'ListUsers',
  input: z.object({ pagination }),
  handler: async (input, { store, principal, request }) => {
    assertInstallationAdmin(principal, 'list all users (members use OrganizationService/ListMembers)');
    return pageResponse(
      'users',
      await store.users.list({}, pageRequest(input.pagination, request)),
      userToApi,
    );
  },
});

export const deleteUser = defineMethod({
  service: 'UserService',
  method: 'DeleteUser',
  input: z.object({ userId: uuid() }),
  handler: async (input, { store, clock, principal }) => {
    // Refused before any lookup, so the answer says nothing about the ID.
    assertInstallationAdmin(principal, 'delete users');
    await store.transaction(async (tx) => {
      if (!(await tx.users.find(input.userId))) throw notFound('user', input.userId);
      await revokePrincipalCredentials(tx, clock, { principalKind: 'user', principalId: input.userId });
      await tx.users.delete(input.userId); // its memberships go with it
    });
    return {};
  },
});

export const getAuthenticatedUser = defineAccountMethod({
  service: 'UserService',
  method: 'GetAuthenticatedUser',
  input: z.object({ empty: z.boolean().optional() }),
  handler: async (_input, { store, principal }) => {
    if (principal.kind !== 'user' && principal.kind !== 'account') {
      throw permissionDenied(
        'only a user credential (a personal access token) has a user; use IdentityService/GetAuthenticatedIdentity',
      );
    }
    const user = await store.users.get(principal.id);
    // An account-level token acts in no organization.
    const organization = principal.kind === 'user' ? { organizationId: principal.organizationId } : {};
    return { user: { ...userToApi(user), ...organization } };
  },
});

export const userMethods = [createUser, getUser, listUsers, deleteUser, getAuthenticatedUser];
