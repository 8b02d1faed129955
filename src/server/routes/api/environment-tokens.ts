import { z } from 'zod';
import { failedPrecondition } from '../../../core/errors.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { pagination, uuid } from '../../connect/validation.ts';
import { credentialToApi, issueCredential, revokeCredentialOf } from '../../credentials/issue-credential.ts';
import { findOperatedEnvironment } from './environment-access.ts';

/**
 * An environment's access tokens: minted, listed and revoked by whoever operates the environment (its
 * creator, its organization's admins, the installation admin, its runner). Deleting the environment
 * revokes them all; RevokeEnvironmentAccessToken revokes one, e.g. a leaked one, and leaves the
 * environment running.
 */

export const createEnvironmentAccessToken = defineMethod({
  service: 'EnvironmentService',
  method: 'CreateEnvironmentAccessToken',
  input: z.object({ environmentId: uuid() }),
  handler: async (input, { store, clock, principal }) => {
    const environment = await findOperatedEnvironment(store, principal, input.environmentId);
    if (environment.status === 'deleted') {
      throw failedPrecondition(`environment ${environment.id} is deleted; it gets no new access tokens`);
    }
    // A token minted while the environment is stopped is refused until it is started.
    const { credential, secret } = await issueCredential(store, clock, {
      principalKind: 'environment',
      principalId: environment.id,
      organizationId: environment.organizationId,
      description: 'environment access token',
    });
    // The secret is answered here and never again; `tokenId` (envid extension) names it for revoking.
    return { accessToken: secret, tokenId: credential.id };
  },
});

/** envid extension: an environment's access tokens (never their secrets). */
export const listEnvironmentAccessTokens = defineMethod({
  service: 'EnvironmentService',
  method: 'ListEnvironmentAccessTokens',
  input: z.object({ environmentId: uuid(), pagination }),
  handler: async (input, { store, principal, request }) => {
    const environment = await findOperatedEnvironment(store, principal, input.environmentId);
    const page = await store.credentials.list(
      { principalId: environment.id, principalKind: 'environment' },
      pageRequest(input.pagination, request),
    );
    return pageResponse('tokens', page, credentialToApi);
  },
});

/** envid extension: revokes one of an environment's access tokens; it is refused from then on. */
export const revokeEnvironmentAccessToken = defineMethod({
  service: 'EnvironmentService',
  method: 'RevokeEnvironmentAccessToken',
  input: z.object({ environmentId: uuid(), tokenId: uuid() }),
  handler: async (input, { store, clock, principal }) => {
    const environment = await findOperatedEnvironment(store, principal, input.environmentId);
    const owner = { principalKind: 'environment', principalId: environment.id } as const;
    const revoked = await revokeCredentialOf(store, clock, owner, input.tokenId, 'environment access token');
    return { token: credentialToApi(revoked) };
  },
});

export const environmentTokenMethods = [
  createEnvironmentAccessToken,
  listEnvironmentAccessTokens,
  revokeEnvironmentAccessToken,
];
