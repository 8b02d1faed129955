import { z } from 'zod';
import { defineMethod } from '../../connect/define-method.ts';
import { apiPrincipalNames, type Principal } from '../../principal.ts';
import { getIdToken } from './identity-token.ts';

const subjectId = (principal: Principal): string =>
  principal.kind === 'installation_admin' ? principal.credentialId : principal.id;

export const getAuthenticatedIdentity = defineMethod({
  service: 'IdentityService',
  method: 'GetAuthenticatedIdentity',
  input: z.object({}),
  handler: async (_input, { principal }) => ({
    ...(principal.kind === 'installation_admin' ? {} : { organizationId: principal.organizationId }),
    subject: { id: subjectId(principal), principal: apiPrincipalNames[principal.kind] },
  }),
});

export const identityMethods = [getAuthenticatedIdentity, getIdToken];
