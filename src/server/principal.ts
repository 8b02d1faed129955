import type { OrganizationRole } from '../store/records.ts';

/** Who is calling, resolved from the request's credential. */
export type Principal =
  | { kind: 'installation_admin'; credentialId: string }
  | { kind: 'user'; id: string; organizationId: string; role: OrganizationRole; credentialId: string }
  | { kind: 'service_account'; id: string; organizationId: string; credentialId: string }
  | { kind: 'runner'; id: string; organizationId: string; credentialId: string }
  | { kind: 'environment'; id: string; organizationId: string; credentialId: string };

export type OrganizationPrincipal = Exclude<Principal, { kind: 'installation_admin' }>;

/**
 * The API's enum names for principals (SPEC §3). The installation admin is an account outside every
 * organization, which the Ona API calls PRINCIPAL_ACCOUNT.
 */
export const apiPrincipalNames = {
  installation_admin: 'PRINCIPAL_ACCOUNT',
  user: 'PRINCIPAL_USER',
  service_account: 'PRINCIPAL_SERVICE_ACCOUNT',
  runner: 'PRINCIPAL_RUNNER',
  environment: 'PRINCIPAL_ENVIRONMENT',
} as const;

/** The audit log's name for whoever made a request. */
export const auditActor = (principal: Principal): { kind: Principal['kind']; id: string } => ({
  kind: principal.kind,
  id: principal.kind === 'installation_admin' ? principal.credentialId : principal.id,
});
