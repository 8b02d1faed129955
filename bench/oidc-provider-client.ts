/** The one client and resource server of the oidc-provider baseline, shared by its process and the bench. */
export const benchClient = { id: 'bench', secret: 'bench-secret-that-is-long-enough-0123456789' };
export const benchResource = 'urn:bench:api';
