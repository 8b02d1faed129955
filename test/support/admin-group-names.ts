/** The CLI's admin command groups, in the order `envid --help` lists them (one per API service area). */
export const adminGroupNames = [
  'org',
  'user',
  'pat',
  'service-account',
  'runner',
  'project',
  'env',
  'oidc-config',
  'keys',
  'audit',
];
