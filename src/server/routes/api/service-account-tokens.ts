import { z } from 'zod';
import { notFound, permissionDenied } from '../../../core/errors.ts';
import type { Credential } from '../../../store/records.ts';
import type { Store } from '../../../store/store.ts';
import {
  canAdministerOrganization,
  canReadOrganization,
  inCallerOrganization,
} from '../../auth/authorize.ts';
import { credentialExpiryFields, resolveCredentialExpiry } from '../../connect/credential-expiry.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';
import { credentialToApi, issueCredential, revokeCredential } from '../../credentials/issue-credential.ts';
import type { Principal } from '../../principal.ts';
import { findManagedServiceAccount, findVisibleServiceAccount } from './service-accounts.ts';

/**
 * A service account's access tokens: organization admins create and revoke them, members list them
 * (never the secret, which only the create call answers).
 */

export function serviceAccountTokenToApi(credential: Credential) {
  return { ...credentialToApi(credential), serviceAccountId: credential.principalId };
}

/** The token, when `principal` may see it; otherwise not_found, the same as for an unknown ID. */
async function findVisibleToken(store: Store, principal: Principal, id: string): Promise<Credential> {
  const missing = notFound('service account token', id);
  const credential = await store.credentials.findOne({
    ...inCallerOrganization(principal, id),
    principalKind: 'service_account',
  });
  if (!credential?.organizationId) throw missing;
  if (!canReadOrganization(principal, credential.organizationId)) throw missing;
  return credential;
}

export const createServiceAccountToken = defineMethod({
  service: 'ServiceAccountService',
  method: 'CreateServiceAccountToken',
  input: z.object({ serviceAccountId: uuid(), description: text(200), ...credentialExpiryFields }),
  handler: async (input, { store, clock, principal }) => {
    const expiresAt = resolveCredentialExpiry(clock, input);
    const serviceAccount = await findManagedServiceAccount(store, principal, input.serviceAccountId);
    const { credential, secret } = await issueCredential(store, clock, {
      principalKind: 'service_account',
      principalId: serviceAccount.id,
      organizationId: serviceAccount.organizationId,
      description: input.description,
      ...(expiresAt ? { expiresAt } : {}),
    });
    return { token: secret, serviceAccountToken: serviceAccountTokenToApi(credential) };
  },
});

export const listServiceAccountTokens = defineMethod({
  service: 'ServiceAccountService',
  method: 'ListServiceAccountTokens',
  input: z.object({ serviceAccountId: uuid(), pagination }),
  handler: async (input, { store, principal, request }) => {
    const serviceAccount = await findVisibleServiceAccount(store, principal, input.serviceAccountId, false);
    const page = await store.credentials.list(
      { principalKind: 'service_account', principalId: serviceAccount.id },
      pageRequest(input.pagination, request),
    );
    return pageResponse('serviceAccountTokens', page, serviceAccountTokenToApi);
  },
});

export const revokeServiceAccountToken = defineMethod({
  service: 'ServiceAccountService',
  method: 'RevokeServiceAccountToken',
  input: z.object({ serviceAccountTokenId: uuid() }),
  handler: async (input, { store, clock, principal }) => {
    const credential = await findVisibleToken(store, principal, input.serviceAccountTokenId);
    if (!canAdministerOrganization(principal, credential.organizationId!)) {
      throw permissionDenied('only an admin of the organization may revoke service account tokens');
    }
    await revokeCredential(store, clock, credential.id);
    return {};
  },
});

export const serviceAccountTokenMethods = [
  createServiceAccountToken,
  listServiceAccountTokens,
  revokeServiceAccountToken,
];
