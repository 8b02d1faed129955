import { z } from 'zod';
import { apiPrincipalNames } from '../../../core/principal-kinds.ts';
import { defineAccountMethod } from '../../connect/define-method.ts';
import type { AuthenticatedPrincipal } from '../../principal.ts';
import { getIdToken } from './identity-token.ts';

const subjectId = (principal: AuthenticatedPrincipal): string =>
  principal.kind === 'installation_admin' ? principal.credentialId : principal.id;

export const getAuthenticatedIdentity = defineAccountMethod({
  service: 'IdentityService',
  method: 'GetAuthenticatedIdentity',
  input: z.object({}),
  handler: async (_input, { principal }) => {
    // An account-level token is its user, acting in no organization.
    if (principal.kind === 'account') {
      return { subject: { id: principal.id, principal: apiPrincipalNames.user } };
    }
    return {
      ...(principal.kind === 'installation_admin' ? {} : { organizationId: principal.organizationId }),
      subject: { id: subjectId(principal), principal: apiPrincipalNames[principal.kind] },
    };
  },
});

export const identityMethods = [getAuthenticatedIdentity, getIdToken];
