import type { Clock } from '../core/clock.ts';
import { ApiError, failedPrecondition, notFound, permissionDenied } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { AlreadyExistsError } from '../store/errors.ts';
import type { Membership, OrganizationRole, User } from '../store/records.ts';
import type { Page, PageRequest, Store } from '../store/store.ts';
import { canAdministerOrganization } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { revokePrincipalCredentials } from './credentials/revoke-principal-credentials.ts';
import { findVisibleOrganization } from './organizations.ts';
import type { AuthenticatedPrincipal, Principal } from './principal.ts';

/**
 * Organization membership: members read the member list; the organization's admins and the
 * installation admin remove members and change roles. Users join by themselves (an invite or their
 * e-mail domain: joining.ts); only the installation admin adds any user by ID, so that an
 * organization admin never reaches a user outside its organization. Nobody but the installation admin
 * may remove or demote the last admin, so an organization cannot lock itself out.
 */

/** A member: the membership and its user. */
export interface Member {
  membership: Membership;
  user: User;
}

/** Checks that `principal` may manage the members of `organizationId`. */
export async function assertManagesMembers(store: Store, principal: Principal, organizationId: string) {
  await findVisibleOrganization(store, principal, organizationId);
  // It is visible, so refusing with permission_denied leaks nothing.
  if (!canAdministerOrganization(principal, organizationId)) {
    throw permissionDenied('only an admin of the organization may manage its members');
  }
}

// An unknown user and a user of another organization get the same answer.
const memberNotFound = (organizationId: string, userId: string): ApiError =>
  new ApiError('not_found', `member ${userId} not found in organization ${organizationId}`);

export interface MemberTarget {
  organizationId: string;
  userId: string;
}

/**
 * Changes one membership (the caller's right to is checked before). The organization's row is locked,
 * so that concurrent changes serialize and the last-admin rule holds. `newRole` is undefined for a
 * removal; `missing` is the error when there is no such membership.
 */
export async function changeMembership(
  store: Store,
  principal: AuthenticatedPrincipal,
  target: MemberTarget,
  newRole: OrganizationRole | undefined,
  apply: (tx: Store, membership: Membership) => Promise<void>,
  missing: () => ApiError = () => memberNotFound(target.organizationId, target.userId),
): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.organizations.update(target.organizationId, (organization) => organization);
    const membership = await tx.memberships.findOne(target);
    if (!membership) throw missing();
    await assertKeepsAnAdmin(tx, principal, membership, newRole);
    await apply(tx, membership);
  });
}

/** Ends a membership and revokes the user's tokens for that organization. */
export async function removeMembership(tx: Store, clock: Clock, membership: Membership): Promise<void> {
  await tx.memberships.delete(membership.id);
  // Its tokens for this organization die with the membership, even if the user comes back later.
  await revokePrincipalCredentials(tx, clock, {
    principalKind: 'user',
    principalId: membership.userId,
    organizationId: membership.organizationId,
  });
}

async function assertKeepsAnAdmin(
  tx: Store,
  principal: AuthenticatedPrincipal,
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

export const alreadyMember = (target: MemberTarget): ApiError =>
  new ApiError(
    'already_exists',
    `user ${target.userId} is already a member of organization ${target.organizationId}`,
  );

/**
 * An organization admin reaches only the organization's own members: anyone else, a user of another
 * organization or an unknown ID, gets this same answer, after the same one query.
 */
const outsideUser = (userId: string): ApiError =>
  new ApiError(
    'not_found',
    `user ${userId} not found: an organization admin adds users by invite ` +
      '(OrganizationService/CreateOrganizationInvite); only the installation admin adds a user by ID',
  );

/** The members of an organization the caller may see, page by page. */
export async function listMembers(
  { store, principal }: ServiceContext,
  organizationId: string,
  page: PageRequest,
): Promise<Page<Member>> {
  await findVisibleOrganization(store, principal, organizationId);
  const memberships = await store.memberships.list({ organizationId }, page);
  const users = await Promise.all(memberships.items.map((membership) => store.users.get(membership.userId)));
  return {
    ...memberships,
    items: memberships.items.map((membership, i) => ({ membership, user: users[i]! })),
  };
}

/** The installation admin adds any user by ID; an organization admin reaches no user outside. */
export async function addMember(
  { store, clock, principal }: ServiceContext,
  target: MemberTarget,
  role: OrganizationRole = 'member',
): Promise<Member> {
  await assertManagesMembers(store, principal, target.organizationId);
  if (principal.kind !== 'installation_admin') {
    if (await store.memberships.findOne(target)) throw alreadyMember(target);
    throw outsideUser(target.userId);
  }
  const user = await store.users.find(target.userId);
  if (!user) throw notFound('user', target.userId);
  try {
    const membership = await store.memberships.insert({
      id: newId(),
      organizationId: target.organizationId,
      userId: user.id,
      role,
      createdAt: clock.now(),
    });
    return { membership, user };
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    throw alreadyMember(target);
  }
}

export async function setRole(
  { store, principal }: ServiceContext,
  target: MemberTarget,
  role: OrganizationRole,
): Promise<void> {
  await assertManagesMembers(store, principal, target.organizationId);
  await changeMembership(store, principal, target, role, async (tx, membership) => {
    await tx.memberships.update(membership.id, (current) => ({ ...current, role }));
  });
}

export async function removeMember({ store, clock, principal }: ServiceContext, target: MemberTarget) {
  await assertManagesMembers(store, principal, target.organizationId);
  await changeMembership(store, principal, target, undefined, (tx, membership) =>
    removeMembership(tx, clock, membership),
  );
}
