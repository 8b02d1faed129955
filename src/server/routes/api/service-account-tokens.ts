import { z } from 'zod';
import { serviceAccountTokens } from '../../../services/credentials/service-account-tokens.ts';
import type { Credential } from '../../../store/records.ts';
import { credentialExpiryFields, resolveCredentialExpiry } from '../../connect/credential-expiry.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';
import { credentialToApi } from '../../credentials/credential-to-api.ts';

/**
 * ServiceAccountService's tokens; who may do what is src/services/credentials/service-account-tokens.ts.
 * The secret is answered once, by the create call.
 */

export function serviceAccountTokenToApi(credential: Credential) {
  return { ...credentialToApi(credential), serviceAccountId: credential.principalId };
}

export const createServiceAccountToken = defineMethod({
  service: 'ServiceAccountService',
  method: 'CreateServiceAccountToken',
  input: z.object({ serviceAccountId: uuid(), description: text(200), ...credentialExpiryFields }),
  handler: async (input, call) => {
    const expiresAt = resolveCredentialExpiry(call.clock, input);
    const { credential, secret } = await serviceAccountTokens.create(call, input, {
      description: input.description,
      expiresAt,
    });
    return { token: secret, serviceAccountToken: serviceAccountTokenToApi(credential) };
  },
});

export const listServiceAccountTokens = defineMethod({
  service: 'ServiceAccountService',
  method: 'ListServiceAccountTokens',
  input: z.object({ serviceAccountId: uuid(), pagination }),
  handler: async (input, call) => {
    const page = await serviceAccountTokens.list(call, input, pageRequest(input.pagination, call.request));
    return pageResponse('serviceAccountTokens', page, serviceAccountTokenToApi);
  },
});

export const revokeServiceAccountToken = defineMethod({
  service: 'ServiceAccountService',
  method: 'RevokeServiceAccountToken',
  input: z.object({ serviceAccountTokenId: uuid() }),
  handler: async (input, call) => {
    await serviceAccountTokens.revoke(call, input);
    return {};
  },
});

export const serviceAccountTokenMethods = [
  createServiceAccountToken,
  listServiceAccountTokens,
  revokeServiceAccountToken,
];
