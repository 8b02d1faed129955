import { z } from 'zod';
import {
  findVisiblePersonalAccessToken,
  personalAccessTokens,
} from '../../../services/credentials/personal-access-tokens.ts';
import type { Credential } from '../../../store/records.ts';
import { credentialExpiryFields, resolveCredentialExpiry } from '../../connect/credential-expiry.ts';
import { defineAccountMethod, defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';
import { credentialToApi } from '../../credentials/credential-to-api.ts';

/**
 * UserService's personal access tokens; who may do what is src/services/credentials/personal-access-tokens.ts.
 * The secret is answered once, by the create call.
 */

export function personalAccessTokenToApi(credential: Credential) {
  return {
    ...credentialToApi(credential),
    userId: credential.principalId,
    organizationId: credential.organizationId,
  };
}

export const createPersonalAccessToken = defineAccountMethod({
  service: 'UserService',
  method: 'CreatePersonalAccessToken',
  input: z.object({
    userId: uuid().optional(),
    /** Absent: an account-level token (the installation admin only). */
    organizationId: uuid().optional(),
    description: text(200),
    ...credentialExpiryFields,
  }),
  handler: async (input, call) => {
    const expiresAt = resolveCredentialExpiry(call.clock, input);
    const { credential, secret } = await personalAccessTokens.create(call, input, {
      description: input.description,
      expiresAt,
    });
    return { token: secret, personalAccessToken: personalAccessTokenToApi(credential) };
  },
});

export const getPersonalAccessToken = defineMethod({
  service: 'UserService',
  method: 'GetPersonalAccessToken',
  input: z.object({ personalAccessTokenId: uuid() }),
  handler: async (input, call) => ({
    pat: personalAccessTokenToApi(await findVisiblePersonalAccessToken(call, input.personalAccessTokenId)),
  }),
});

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
  handler: async (input, call) => {
    const page = await personalAccessTokens.list(
      call,
      { userId: input.filter?.userIds?.[0] },
      pageRequest(input.pagination, call.request),
    );
    return pageResponse('personalAccessTokens', page, personalAccessTokenToApi);
  },
});

export const deletePersonalAccessToken = defineMethod({
  service: 'UserService',
  method: 'DeletePersonalAccessToken',
  input: z.object({ personalAccessTokenId: uuid() }),
  handler: async (input, call) => {
    await personalAccessTokens.revoke(call, input);
    return {};
  },
});

export const personalAccessTokenMethods = [
  createPersonalAccessToken,
  getPersonalAccessToken,
  listPersonalAccessTokens,
  deletePersonalAccessToken,
];
