import { ApiError, failedPrecondition, invalidArgument, notFound, permissionDenied } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { AlreadyExistsError } from '../store/errors.ts';
import type { Membership, User } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import type { ServiceContext } from './context.ts';
import { findLiveInvite, inviteNotFound } from './invites.ts';
import {
  alreadyMember,
  changeMembership,
  type Member,
  type MemberTarget,
  removeMembership,
} from './members.ts';
import type { AuthenticatedPrincipal, SelfServiceUser } from './principal.ts';

/**
 * A user's own membership (docs/decisions/0020-organization-invites.md): it joins an organization by
 * an invite, or by its verified e-mail domain when the organization lists it, and leaves one. It acts
 * with a token of any of its organizations or an account-level one; these calls change only its own
 * memberships. A token of one organization may join another (the user's own act) but never mints
 * credentials for it: a token for the new organization comes from an account-level token.
 */

type SelfServiceContext = ServiceContext<AuthenticatedPrincipal>;

/** The caller as a user acting for itself; anyone else is refused before any lookup. */
function selfServiceUser(principal: AuthenticatedPrincipal, what: string): SelfServiceUser {
  if (principal.kind === 'user' || principal.kind === 'account') return principal;
  if (principal.kind === 'installation_admin') {
    throw permissionDenied(
      `only a user may ${what}; the installation admin is none (it adds and removes members with ` +
        'OrganizationService/AddMember and RemoveMember)',
    );
  }
  throw permissionDenied(`only a user may ${what}, not a ${principal.kind.replace('_', ' ')} credential`);
}

/**
 * The domain of an e-mail address, in lower case (addresses are stored in lower case). An organization's
 * invite domains match it exactly: `acme.example` admits ada@acme.example, not ada@eu.acme.example.
 */
export const emailDomain = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

const organizationNotJoinable = (organizationId: string, domain: string): ApiError =>
  new ApiError(
    'not_found',
    `organization ${organizationId} not found, or it does not let ${domain} addresses join by themselves: ` +
      'ask an admin of the organization for an invite',
  );

/** Adds the membership; a second one of the same user is already_exists. */
async function insertMembership(store: Store, now: Date, target: MemberTarget): Promise<Membership> {
  try {
    return await store.memberships.insert({ id: newId(), ...target, role: 'member', createdAt: now });
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    throw alreadyMember(target);
  }
}

/** Joins by invite: the organization's row is locked, so a replaced invite admits nobody afterwards. */
async function joinByInvite({ store, clock }: SelfServiceContext, userId: string, inviteId: string) {
  return store.transaction(async (tx) => {
    const invite = await findLiveInvite(tx, clock, inviteId);
    if (!invite) throw inviteNotFound();
    await tx.organizations.update(invite.organizationId, (organization) => organization);
    if (!(await findLiveInvite(tx, clock, inviteId))) throw inviteNotFound();
    return insertMembership(tx, clock.now(), { organizationId: invite.organizationId, userId });
  });
}

/**
 * Joins by e-mail domain. Another organization that does not list the domain and an unknown ID answer
 * alike, after the same queries: the organization is looked up by ID and domain together.
 */
async function joinByDomain({ store, clock }: SelfServiceContext, user: User, organizationId: string) {
  if (!user.emailVerified) {
    throw failedPrecondition(
      `the e-mail address of user ${user.id} is not verified, so it joins no organization by its domain: ` +
        'ask an admin of the organization for an invite',
    );
  }
  const target = { organizationId, userId: user.id };
  const domain = emailDomain(user.email);
  if (await store.memberships.findOne(target)) throw alreadyMember(target);
  if (!(await store.organizations.findOne({ id: organizationId, inviteDomains: domain }))) {
    throw organizationNotJoinable(organizationId, domain);
  }
  return insertMembership(store, clock.now(), target);
}

/** Joins by `inviteId`, or by e-mail domain when it names `organizationId` (one of the two). */
export async function joinOrganization(
  context: SelfServiceContext,
  request: { inviteId?: string | undefined; organizationId?: string | undefined },
): Promise<Member> {
  const self = selfServiceUser(context.principal, 'join organizations');
  if (request.inviteId !== undefined && request.organizationId !== undefined) {
    throw invalidArgument('inviteId', 'give inviteId or organizationId, not both');
  }
  const user = await context.store.users.get(self.id);
  let membership: Membership;
  if (request.inviteId !== undefined) membership = await joinByInvite(context, self.id, request.inviteId);
  else if (request.organizationId !== undefined) {
    membership = await joinByDomain(context, user, request.organizationId);
  } else {
    throw invalidArgument(
      'inviteId',
      'is required (or organizationId, to join an organization that admits your e-mail domain)',
    );
  }
  return { membership, user };
}

/** The organization a leave call names: a token of an organization leaves that one. */
function organizationToLeave(self: SelfServiceUser, requested: string | undefined): string {
  if (self.kind === 'user') {
    if (requested !== undefined && requested !== self.organizationId) {
      throw notFound('organization', requested);
    }
    return self.organizationId;
  }
  if (requested === undefined) {
    throw invalidArgument(
      'organizationId',
      'is required for an account-level token (a token of an organization leaves that organization)',
    );
  }
  return requested;
}

/**
 * The user leaves by itself (`userId` must be its own) as RemoveMember removes it: the last-admin
 * rule holds and its tokens for that organization are revoked, the calling one too.
 */
export async function leaveOrganization(
  { store, clock, principal }: SelfServiceContext,
  request: { userId: string; organizationId?: string | undefined },
): Promise<void> {
  const self = selfServiceUser(principal, 'leave organizations');
  if (request.userId !== self.id) {
    throw permissionDenied(
      'a user leaves only by itself: userId must be its own (an admin removes members with ' +
        'OrganizationService/RemoveMember)',
    );
  }
  const organizationId = organizationToLeave(self, request.organizationId);
  const target = { organizationId, userId: self.id };
  // An organization the user is not in, known or not, is not_found, after the same one query.
  const missing = () => notFound('organization', organizationId);
  if (!(await store.memberships.findOne(target))) throw missing();
  await changeMembership(
    store,
    principal,
    target,
    undefined,
    (tx, membership) => removeMembership(tx, clock, membership),
    missing,
  );
}
