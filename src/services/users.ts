import { ApiError, notFound, permissionDenied } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { AlreadyExistsError } from '../store/errors.ts';
import type { User } from '../store/records.ts';
import type { Page, PageRequest, Store } from '../store/store.ts';
import { assertInstallationAdmin, isSelf } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { revokePrincipalCredentials } from './credentials/revoke-principal-credentials.ts';
import type { AuthenticatedPrincipal, Principal } from './principal.ts';

/**
 * Users, people: the installation admin creates, lists and deletes them (organization admins then add
 * them to their organization); a user reads itself and the members of its organization.
 */

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

export const getUser = ({ store, principal }: ServiceContext, id: string) =>
  findVisibleUser(store, principal, id);

/** `email` is in lower case already (addresses are compared without regard to case). */
export async function createUser(
  { store, clock, principal }: ServiceContext,
  request: { email: string; name: string },
): Promise<User> {
  assertInstallationAdmin(principal, 'create users');
  const alreadyExists = () =>
    new ApiError('already_exists', `a user with email ${request.email} already exists`);
  if (await store.users.findOne({ email: request.email })) throw alreadyExists();
  try {
    return await store.users.insert({
      id: newId(),
      email: request.email,
      name: request.name,
      // The installation admin vouches for the address it gives.
      emailVerified: true,
      createdAt: clock.now(),
    });
  } catch (error) {
    if (error instanceof AlreadyExistsError) throw alreadyExists(); // lost a race with another create
    throw error;
  }
}

export async function listUsers(
  { store, principal }: ServiceContext,
  page: PageRequest,
): Promise<Page<User>> {
  assertInstallationAdmin(principal, 'list all users (members use OrganizationService/ListMembers)');
  return store.users.list({}, page);
}

/** Its credentials are revoked and its memberships go with it. */
export async function deleteUser({ store, clock, principal }: ServiceContext, id: string): Promise<void> {
  // Refused before any lookup, so the answer says nothing about the ID.
  assertInstallationAdmin(principal, 'delete users');
  await store.transaction(async (tx) => {
    if (!(await tx.users.find(id))) throw notFound('user', id);
    await revokePrincipalCredentials(tx, clock, { principalKind: 'user', principalId: id });
    await tx.users.delete(id);
  });
}

/** The calling user, and the organization its token acts in (none for an account-level token). */
export async function getAuthenticatedUser({
  store,
  principal,
}: ServiceContext<AuthenticatedPrincipal>): Promise<{ user: User; organizationId?: string }> {
  if (principal.kind !== 'user' && principal.kind !== 'account') {
    throw permissionDenied(
      'only a user credential (a personal access token) has a user; use IdentityService/GetAuthenticatedIdentity',
    );
  }
  const user = await store.users.get(principal.id);
  return principal.kind === 'user' ? { user, organizationId: principal.organizationId } : { user };
}
