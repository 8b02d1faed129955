/** Who a credential authenticates. */
export type PrincipalKind = 'installation_admin' | 'user' | 'service_account' | 'runner' | 'environment';
