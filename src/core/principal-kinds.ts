/**
 * Every kind of principal envid authenticates, declared once; the kind union, credential prefixes, the
 * API's enum names and each token kind's default `sub` keys derive from this table
 * (docs/architecture.md#adding-a-principal-kind).
 */
interface PrincipalKindDeclaration {
  /** Starts every secret of the kind, so secret scanners can find a leaked one. Never change one. */
  credentialPrefix: string;
  /** The Ona API's `Principal` enum name (docs/api.md#getauthenticatedidentity). */
  apiName: string;
  /** How error messages name the kind. */
  label: string;
  /** Present for a kind that gets ID tokens. */
  token?: {
    /** The claim that carries the principal's own ID. */
    idClaim: string;
    /** The keys every V3 `sub` of the kind starts with; an absent value is left out (docs/tokens.md#the-v3-sub). */
    subDefaultKeys: readonly string[];
    /** The principal's segment of a V2 `sub`, `<segment>:<id>` (docs/tokens.md#v2-legacy-path-shaped-sub). */
    v2SubSegment: string;
  };
}

export const principalKinds = {
  // The installation admin is an account outside every organization, which the Ona API calls PRINCIPAL_ACCOUNT.
  installation_admin: {
    credentialPrefix: 'envid_adm_',
    apiName: 'PRINCIPAL_ACCOUNT',
    label: 'installation admin',
  },
  user: {
    credentialPrefix: 'envid_pat_',
    apiName: 'PRINCIPAL_USER',
    label: 'user',
    token: { idClaim: 'user_id', subDefaultKeys: ['organization_id', 'user_id'], v2SubSegment: 'user' },
  },
  service_account: {
    credentialPrefix: 'envid_sat_',
    apiName: 'PRINCIPAL_SERVICE_ACCOUNT',
    label: 'service account',
    token: {
      idClaim: 'service_account_id',
      subDefaultKeys: ['organization_id', 'service_account_id'],
      v2SubSegment: 'sa',
    },
  },
  runner: {
    credentialPrefix: 'envid_rnt_',
    apiName: 'PRINCIPAL_RUNNER',
    label: 'runner',
    token: { idClaim: 'runner_id', subDefaultKeys: ['organization_id', 'runner_id'], v2SubSegment: 'rnr' },
  },
  environment: {
    credentialPrefix: 'envid_ent_',
    apiName: 'PRINCIPAL_ENVIRONMENT',
    label: 'environment',
    // An environment's `sub` names its project when it has one, never the environment itself: a relying
    // party can then trust every environment of a project with one rule.
    token: {
      idClaim: 'environment_id',
      subDefaultKeys: ['organization_id', 'project_id'],
      v2SubSegment: 'env',
    },
  },
} as const satisfies Record<string, PrincipalKindDeclaration>;

type Declarations = typeof principalKinds;

/** Who a credential authenticates. */
export type PrincipalKind = keyof Declarations;

/** The kinds that get ID tokens. */
export type TokenPrincipalKind = {
  [K in PrincipalKind]: Declarations[K] extends { token: object } ? K : never;
}[PrincipalKind];

/** The API's enum name of each kind. */
export type ApiPrincipalName<K extends PrincipalKind = PrincipalKind> = Declarations[K]['apiName'];

const entries = Object.entries(principalKinds) as [PrincipalKind, PrincipalKindDeclaration][];

/** Every kind, in the table's order. */
export const allPrincipalKinds: readonly PrincipalKind[] = entries.map(([kind]) => kind);

/** The kinds that get ID tokens, in the table's order. */
export const tokenPrincipalKinds = entries
  .filter(([, declaration]) => declaration.token !== undefined)
  .map(([kind]) => kind) as readonly TokenPrincipalKind[];

export const credentialPrefixes = Object.fromEntries(
  entries.map(([kind, declaration]) => [kind, declaration.credentialPrefix]),
) as { readonly [K in PrincipalKind]: Declarations[K]['credentialPrefix'] };

export const apiPrincipalNames = Object.fromEntries(
  entries.map(([kind, declaration]) => [kind, declaration.apiName]),
) as { readonly [K in PrincipalKind]: ApiPrincipalName<K> };

export const principalLabel = (kind: PrincipalKind): string => principalKinds[kind].label;

export const subDefaultKeys = (kind: TokenPrincipalKind): readonly string[] =>
  principalKinds[kind].token.subDefaultKeys;

export const v2SubSegment = (kind: TokenPrincipalKind): string => principalKinds[kind].token.v2SubSegment;
