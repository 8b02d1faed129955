import { subjectPrincipalNames } from '../core/tokens/v2-claims.ts';
import type { Principal } from '../services/principal.ts';

// The caller's types live with the services, which take them (the server only resolves them).
export type {
  AccountPrincipal,
  AuthenticatedPrincipal,
  OrganizationPrincipal,
  Principal,
  SelfServiceUser,
} from '../services/principal.ts';

/**
 * The API's enum names for principals (docs/api.md#getauthenticatedidentity). The installation admin is an account outside every
 * organization, which the Ona API calls PRINCIPAL_ACCOUNT.
 */
export const apiPrincipalNames = {
  installation_admin: 'PRINCIPAL_ACCOUNT',
  ...subjectPrincipalNames,
} as const;

/** The audit log's name for whoever made a request. */
export const auditActor = (principal: Principal): { kind: Principal['kind']; id: string } => ({
  kind: principal.kind,
  id: principal.kind === 'installation_admin' ? principal.credentialId : principal.id,
});
