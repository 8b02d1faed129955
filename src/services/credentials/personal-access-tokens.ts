import { failedPrecondition, invalidArgument, notFound, permissionDenied } from '../../core/errors.ts';
import type { Credential } from '../../store/records.ts';
import type { Filter, Store } from '../../store/store.ts';
import { canAdministerOrganization, inCallerOrganization } from '../authorize.ts';
import type { ServiceContext } from '../context.ts';
import type { AuthenticatedPrincipal, Principal } from '../principal.ts';
import { credentialLifecycle } from './lifecycle.ts';

/**
 * Personal access tokens: a user's credential, bound to one organization it is a member of, or
 * account-level (bound to none: it only joins and leaves organizations and creates tokens for them;
 * docs/decisions/0020-organization-invites.md). A user manages its own tokens for the organization it
 * acts in, and an account-level token creates tokens for the user's organizations; an organization admin
 * sees and revokes the tokens bound to its organization; the installation admin creates tokens for any
 * member of any organization and account-level ones for any user.
 */

export interface PersonalAccessTokenRequest {
  userId?: string | undefined;
  /** Absent: an account-level token (the installation admin only). */
  organizationId?: string | undefined;
}

/** The token, when the caller may see it; otherwise not_found, the same as for an unknown ID. */
export async function findVisiblePersonalAccessToken(
  { store, principal }: ServiceContext,
  id: string,
): Promise<Credential> {
  const missing = notFound('personal access token', id);
  const credential = await store.credentials.findOne({
    ...inCallerOrganization(principal, id),
    principalKind: 'user',
  });
  if (!credential) throw missing;
  // The installation admin sees every user token, account-level ones (bound to no organization) too.
  if (principal.kind === 'installation_admin') return credential;
  const own = principal.kind === 'user' && principal.id === credential.principalId;
  if (own || canAdministerOrganization(principal, credential.organizationId!)) return credential;
  throw missing;
}

/** The token's user and organization (none: account-level), after checking the caller may make it. */
async function tokenOwner(
  store: Store,
  principal: AuthenticatedPrincipal,
  input: PersonalAccessTokenRequest,
): Promise<{ userId: string; organizationId?: string }> {
  if (principal.kind === 'installation_admin') return installationAdminTokenOwner(store, input);
  if (principal.kind !== 'user' && principal.kind !== 'account') {
    throw permissionDenied('only a user or the installation admin may create personal access tokens');
  }
  const { organizationId } = input;
  if (organizationId === undefined) {
    throw invalidArgument(
      'organizationId',
      'is required (only the installation admin creates account-level tokens, bound to no organization)',
    );
  }
  if (principal.kind === 'user' && organizationId !== principal.organizationId) {
    // A token of one organization never mints credentials for another.
    throw notFound('organization', organizationId);
  }
  if (input.userId !== undefined && input.userId !== principal.id) {
    throw permissionDenied('a user may create personal access tokens only for itself');
  }
  // An account-level token, for one of the user's organizations: any other, known or not, is not_found.
  if (
    principal.kind === 'account' &&
    !(await store.memberships.findOne({ organizationId, userId: principal.id }))
  ) {
    throw notFound('organization', organizationId);
  }
  return { userId: principal.id, organizationId };
}

/** The installation admin names the user, and the organization unless the token is account-level. */
async function installationAdminTokenOwner(
  store: Store,
  input: PersonalAccessTokenRequest,
): Promise<{ userId: string; organizationId?: string }> {
  if (input.userId === undefined) {
    throw invalidArgument('userId', 'is required for the installation admin');
  }
  if (input.organizationId === undefined) {
    if (!(await store.users.find(input.userId))) throw notFound('user', input.userId);
    return { userId: input.userId };
  }
  if (!(await store.organizations.find(input.organizationId))) {
    throw notFound('organization', input.organizationId);
  }
  if (!(await store.users.find(input.userId))) throw notFound('user', input.userId);
  if (!(await store.memberships.findOne({ organizationId: input.organizationId, userId: input.userId }))) {
    throw failedPrecondition(
      `user ${input.userId} is not a member of organization ${input.organizationId}: add it first (OrganizationService/AddMember)`,
    );
  }
  return { userId: input.userId, organizationId: input.organizationId };
}

/** Which tokens a list call may see, narrowed to `userId` when given. */
function listFilter(principal: Principal, userId: string | undefined): Filter<Credential> {
  const byUser = userId !== undefined ? { principalId: userId } : {};
  if (principal.kind === 'installation_admin') return { principalKind: 'user', ...byUser };
  if (principal.kind !== 'user') {
    throw permissionDenied(
      `a ${principal.kind.replace('_', ' ')} credential may not list personal access tokens`,
    );
  }
  const inOrganization = { principalKind: 'user', organizationId: principal.organizationId } as const;
  if (principal.role === 'admin') return { ...inOrganization, ...byUser };
  if (userId !== undefined && userId !== principal.id) {
    throw permissionDenied('a member may list only its own personal access tokens');
  }
  return { ...inOrganization, principalId: principal.id };
}

export const personalAccessTokens = credentialLifecycle<
  PersonalAccessTokenRequest,
  { userId?: string | undefined },
  { personalAccessTokenId: string },
  AuthenticatedPrincipal
>({
  defaultDescription: 'personal access token',
  async ownerForCreate({ store, principal }, request) {
    const owner = await tokenOwner(store, principal, request);
    return {
      principalKind: 'user',
      principalId: owner.userId,
      ...(owner.organizationId ? { organizationId: owner.organizationId } : {}),
    };
  },
  listFilter: async ({ principal }, { userId }) => listFilter(principal, userId),
  findRevocable: (context, { personalAccessTokenId }) =>
    findVisiblePersonalAccessToken(context, personalAccessTokenId),
});
