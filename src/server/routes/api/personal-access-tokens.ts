import { z } from 'zod';
import { failedPrecondition, invalidArgument, notFound, permissionDenied } from '../../../core/errors.ts';
import type { Credential } from '../../../store/records.ts';
import type { Filter, Store } from '../../../store/store.ts';
import { canAdministerOrganization } from '../../auth/authorize.ts';
import { credentialExpiryFields, resolveCredentialExpiry } from '../../connect/credential-expiry.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';
import { credentialToApi, issueCredential, revokeCredential } from '../../credentials/issue-credential.ts';
import type { Principal } from '../../principal.ts';

/**
 * Personal access tokens: a user's credential, bound to one organization it is a member of. A user
 * manages its own tokens for the organization it acts in; an organization admin sees and revokes the
 * tokens bound to its organization; the installation admin creates tokens for any member of any
 * organization. The secret is answered once, by the create call.
 */

export function personalAccessTokenToApi(credential: Credential) {
  return {
    ...credentialToApi(credential),
    userId: credential.principalId,
    organizationId: credential.organizationId,
  };
}

/** The token, when `principal` may see it; otherwise not_found, the same as for an unknown ID. */
async function findVisibleToken(store: Store, principal: Principal, id: string): Promise<Credential> {
  const missing = notFound('personal access token', id);
  const credential = await store.credentials.find(id);
  if (credential?.principalKind !== 'user' || !credential.organizationId) throw missing;
  const own =
    principal.kind === 'user' &&
    principal.id === credential.principalId &&
    principal.organizationId === credential.organizationId;
  if (own || canAdministerOrganization(principal, credential.organizationId)) return credential;
  throw missing;
}

/** Whose token a create call makes: a user makes its own; the installation admin names a member. */
async function tokenOwner(
  store: Store,
  principal: Principal,
  input: { userId?: string | undefined; organizationId: string },
): Promise<string> {
  if (principal.kind === 'user') {
    if (input.organizationId !== principal.organizationId) {
      throw notFound('organization', input.organizationId);
    }
    if (input.userId !== undefined && input.userId !== principal.id) {
      throw permissionDenied('a user may create personal access tokens only for itself');
    }
    return principal.id;
  }
  if (principal.kind !== 'installation_admin') {
    throw permissionDenied('only a user or the installation admin may create personal access tokens');
  }
  if (input.userId === undefined) {
    throw invalidArgument('userId', 'is required for the installation admin');
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
  return input.userId;
}

export const createPersonalAccessToken = defineMethod({
  service: 'UserService',
  method: 'CreatePersonalAccessToken',
  input: z.object({
    userId: uuid().optional(),
    organizationId: uuid(),
    description: text(200),
    ...credentialExpiryFields,
  }),
  handler: async (input, { store, clock, principal }) => {
    const expiresAt = resolveCredentialExpiry(clock, input);
    const userId = await tokenOwner(store, principal, input);
    const { credential, secret } = await issueCredential(store, clock, {
      principalKind: 'user',
      principalId: userId,
      organizationId: input.organizationId,
      description: input.description,
      ...(expiresAt ? { expiresAt } : {}),
    });
    return { token: secret, personalAccessToken: personalAccessTokenToApi(credential) };
  },
});

export const getPersonalAccessToken = defineMethod({
  service: 'UserService',
  method: 'GetPersonalAccessToken',
  input: z.object({ personalAccessTokenId: uuid() }),
  handler: async (input, { store, principal }) => ({
    pat: personalAccessTokenToApi(await findVisibleToken(store, principal, input.personalAccessTokenId)),
  }),
});

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

export const listPersonalAccessTokens = defineMethod({
  service: 'UserService',
  method: 'ListPersonalAccessTokens',
  input: z.object({
    filter: z
      .object({
        userIds: z.array(uuid()).max(1, { error: 'must name at most one user' }).optional(),
      })
      .optional(),
    pagination,
  }),
  handler: async (input, { store, principal, request }) => {
    const filter = listFilter(principal, input.filter?.userIds?.[0]);
    const page = await store.credentials.list(filter, pageRequest(input.pagination, request));
    return pageResponse('personalAccessTokens', page, personalAccessTokenToApi);
  },
});

export const deletePersonalAccessToken = defineMethod({
  service: 'UserService',
  method: 'DeletePersonalAccessToken',
  input: z.object({ personalAccessTokenId: uuid() }),
  handler: async (input, { store, clock, principal }) => {
    const credential = await findVisibleToken(store, principal, input.personalAccessTokenId);
    // Kept as revoked rather than erased, so the record of what existed survives.
    await revokeCredential(store, clock, credential.id);
    return {};
  },
});

export const personalAccessTokenMethods = [
  createPersonalAccessToken,
  getPersonalAccessToken,
  listPersonalAccessTokens,
  deletePersonalAccessToken,
];
