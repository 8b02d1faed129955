// The loader lives with the OIDC configuration service (src/services/organization-subjects.ts); this
// path stays for the callers that name it.
export { loadOrganizationSubjects } from '../../services/organization-subjects.ts';
