import { z } from 'zod';
import { ApiError, failedPrecondition, notFound, permissionDenied } from '../../../core/errors.ts';
import { newId } from '../../../core/ids.ts';
import { AlreadyExistsError } from '../../../store/errors.ts';
import type { Membership, OrganizationRole, User } from '../../../store/records.ts';
import type { Store } from '../../../store/store.ts';
import { canAdministerOrganization } from '../../auth/authorize.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { pagination, uuid } from '../../connect/validation.ts';
import { revokePrincipalCredentials } from '../../credentials/revoke-principal-credentials.ts';
import type { Principal } from '../../principal.ts';
import { apiRoleNames, roleInput } from './organization-roles.ts';
import { findVisibleOrganization } from './organizations.ts';

/**
 * Organization membership: members read the member list; the organization's admins and the
 * installation admin add and remove members and change roles. An organization admin may not remove
 * or demote the last admin (the installation admin may), so an organization cannot lock itself out.
 */

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

/** The organization ID, after checking `principal` may manage its members. */
async function assertManagesMembers(store: Store, principal: Principal, organizationId: string) {
  await findVisibleOrganization(store, principal, organizationId);
  // It is visible, so refusing with permission_denied leaks nothing.
  if (!canAdministerOrganization(principal, organizationId)) {
    throw permissionDenied('only an admin of the organization may manage its members');
  }
}

// An unknown user and a user of another organization get the same answer.
const memberNotFound = (organizationId: string, userId: string): ApiError =>
  new ApiError('not_found', `member ${userId} not found in organization ${organizationId}`);

/**
 * Changes one member of an organization the caller manages. The organization's row is locked, so that
 * concurrent changes serialize and the last-admin rule holds. `newRole` is undefined for a removal.
 */
async function changeMember(
  store: Store,
  principal: Principal,
  target: { organizationId: string; userId: string },
  newRole: OrganizationRole | undefined,
  apply: (tx: Store, membership: Membership) => Promise<void>,
): Promise<void> {
  await assertManagesMembers(store, principal, target.organizationId);
  await store.transaction(async (tx) => {
    await tx.organizations.update(target.organizationId, (organization) => organization);
    const membership = await tx.memberships.findOne(target);
    if (!membership) throw memberNotFound(target.organizationId, target.userId);
    await assertKeepsAnAdmin(tx, principal, membership, newRole);
    await apply(tx, membership);
  });
}

async function assertKeepsAnAdmin(
  tx: Store,
  principal: Principal,
  membership: Membership,
  newRole: OrganizationRole | undefined,
): Promise<void> {
  if (principal.kind === 'installation_admin' || membership.role !== 'admin' || newRole === 'admin') return;
  const admins = await tx.memberships.list(
    { organizationId: membership.organizationId, role: 'admin' },
    { pageSize: 2 },
  );
  if (admins.items.length < 2) {
    throw failedPrecondition(
      `user ${membership.userId} is the organization's last admin: make another member admin first`,
    );
  }
}

export const listMembers = defineMethod({
  service: 'OrganizationService',
  method: 'ListMembers',
  input: z.object({ organizationId: uuid(), pagination }),
  handler: async (input, { store, principal, request }) => {
    await findVisibleOrganization(store, principal, input.organizationId);
    const page = await store.memberships.list(
      { organizationId: input.organizationId },
      pageRequest(input.pagination, request),
    );
    const users = await Promise.all(page.items.map((membership) => store.users.get(membership.userId)));
    const byId = new Map(users.map((user) => [user.id, user]));
    return pageResponse('members', page, (membership) =>
      memberToApi(membership, byId.get(membership.userId)!),
    );
  },
});

export const addMember = defineMethod({
  service: 'OrganizationService',
  method: 'AddMember',
  input: z.object({ organizationId: uuid(), userId: uuid(), role: roleInput().optional() }),
  handler: async (input, { store, clock, principal }) => {
    await assertManagesMembers(store, principal, input.organizationId);
    const user = await store.users.find(input.userId);
    if (!user) throw notFound('user', input.userId);
    try {
      const membership = await store.memberships.insert({
        id: newId(),
        organizationId: input.organizationId,
        userId: user.id,
        role: input.role ?? 'member',
        createdAt: clock.now(),
      });
      return { member: memberToApi(membership, user) };
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
      throw new ApiError(
        'already_exists',
        `user ${user.id} is already a member of organization ${input.organizationId}`,
      );
    }
  },
});

export const setRole = defineMethod({
  service: 'OrganizationService',
  method: 'SetRole',
  input: z.object({ organizationId: uuid(), userId: uuid(), role: roleInput() }),
  handler: async (input, { store, principal }) => {
    const target = { organizationId: input.organizationId, userId: input.userId };
    await changeMember(store, principal, target, input.role, async (tx, membership) => {
      await tx.memberships.update(membership.id, (current) => ({ ...current, role: input.role }));
    });
    return {};
  },
});

export const removeMember = defineMethod({
  service: 'OrganizationService',
  method: 'RemoveMember',
  input: z.object({ organizationId: uuid(), userId: uuid() }),
  handler: async (input, { store, clock, principal }) => {
    const target = { organizationId: input.organizationId, userId: input.userId };
    await changeMember(store, principal, target, undefined, async (tx, membership) => {
      await tx.memberships.delete(membership.id);
      // Its tokens for this organization die with the membership, even if the user is added back later.
      await revokePrincipalCredentials(tx, clock, {
        principalKind: 'user',
        principalId: target.userId,
        organizationId: target.organizationId,
      });
    });
    return {};
  },
});

export const memberMethods = [listMembers, addMember, setRole, removeMember];
