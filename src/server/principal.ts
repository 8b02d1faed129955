import type { Principal } from '../services/principal.ts';

// The caller's types live with the services, which take them (the server only resolves them).
export type {
  AccountPrincipal,
  AuthenticatedPrincipal,
  OrganizationPrincipal,
  Principal,
  SelfServiceUser,
} from '../services/principal.ts';

/** The audit log's name for whoever made a request. */
export const auditActor = (principal: Principal): { kind: Principal['kind']; id: string } => ({
  kind: principal.kind,
  id: principal.kind === 'installation_admin' ? principal.credentialId : principal.id,
});
