import { z } from 'zod';
import { environmentTokens } from '../../../services/credentials/environment-tokens.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { pagination, uuid } from '../../connect/validation.ts';
import { credentialToApi } from '../../credentials/credential-to-api.ts';

/**
 * EnvironmentService's access tokens; who may do what is src/services/credentials/environment-tokens.ts.
 * RevokeEnvironmentAccessToken revokes one, e.g. a leaked one, and leaves the environment running.
 */

export const createEnvironmentAccessToken = defineMethod({
  service: 'EnvironmentService',
  method: 'CreateEnvironmentAccessToken',
  input: z.object({ environmentId: uuid() }),
  handler: async (input, call) => {
    const { credential, secret } = await environmentTokens.create(call, input);
    // The secret is answered here and never again; `tokenId` (envid extension) names it for revoking.
    return { accessToken: secret, tokenId: credential.id };
  },
});

/** envid extension: an environment's access tokens (never their secrets). */
export const listEnvironmentAccessTokens = defineMethod({
  service: 'EnvironmentService',
  method: 'ListEnvironmentAccessTokens',
  input: z.object({ environmentId: uuid(), pagination }),
  handler: async (input, call) => {
    const page = await environmentTokens.list(call, input, pageRequest(input.pagination, call.request));
    return pageResponse('tokens', page, credentialToApi);
  },
});

/** envid extension: revokes one of an environment's access tokens; it is refused from then on. */
export const revokeEnvironmentAccessToken = defineMethod({
  service: 'EnvironmentService',
  method: 'RevokeEnvironmentAccessToken',
  input: z.object({ environmentId: uuid(), tokenId: uuid() }),
  handler: async (input, call) => ({ token: credentialToApi(await environmentTokens.revoke(call, input)) }),
});

export const environmentTokenMethods = [
  createEnvironmentAccessToken,
  listEnvironmentAccessTokens,
  revokeEnvironmentAccessToken,
];
