import type { PrincipalClaims } from './principal-claims.ts';
import type { StandardClaims } from './standard-claims.ts';
import type { V2PrincipalClaims } from './v2-claims.ts';

/**
 * Every claim an envid token may carry, declared once, in the order discovery's `claims_supported` lists
 * them; which of them an organization may add to its V3 `sub` is declared here too
 * (docs/architecture.md#adding-a-sub-field).
 */
export const standardClaimNames = ['iss', 'sub', 'aud', 'iat', 'nbf', 'exp', 'jti'] as const;

/**
 * How a V3 principal claim may appear in a `sub`: `value` as itself, `keys` as `<claim>.<key>` for a
 * claim that is an object (forwarded SSO claims, labels), or by the dotted paths listed (the first value
 * found among the claim's entries).
 */
type SubUse = 'value' | 'keys' | readonly string[] | undefined;

/** The V3 claims besides the standard ones (docs/tokens.md#v3-default-flat-claims-by-principal). */
export const principalClaimDeclarations = {
  organization_id: 'value',
  project_id: 'value',
  environment_id: 'value',
  runner_id: 'value',
  runner_name: 'value',
  creator_id: 'value',
  creator_principal: 'value',
  creator_email: 'value',
  creator_name: 'value',
  creator_idp: 'value',
  creator_idp_claims: 'keys',
  environment_initializers: ['git.remote_uri', 'git.upstream_remote_uri', 'context_url'],
  project_labels: 'keys',
  environment_labels: 'keys',
  user_id: 'value',
  service_account_id: 'value',
  email: 'value',
  name: 'value',
  idp: 'value',
  idp_claims: 'keys',
} as const satisfies Record<string, SubUse>;

/** The claims of a V2 token besides the standard ones (docs/decisions/0110-v2-gsub-claim.md). */
export const v2ClaimNames = ['org', 'gsub'] as const;

export type PrincipalClaimName = keyof typeof principalClaimDeclarations;

const principalEntries = Object.entries(principalClaimDeclarations) as [PrincipalClaimName, SubUse][];

export const principalClaimNames: readonly PrincipalClaimName[] = principalEntries.map(([name]) => name);

/** Discovery's `claims_supported`: the standard claims, the V3 principal claims, then V2's. */
export const supportedClaims: readonly string[] = [
  ...standardClaimNames,
  ...principalClaimNames,
  ...v2ClaimNames,
];

/** Sub fields that name a claim's value: plain claims, then the dotted paths into claims with entries. */
export const plainSubFields: readonly string[] = [
  ...principalEntries.filter(([, use]) => use === 'value').map(([name]) => name),
  ...principalEntries.flatMap(([name, use]) =>
    Array.isArray(use) ? use.map((path: string) => `${name}.${path}`) : [],
  ),
];

/**
 * Prefixes of the sub fields that name one member of an object claim: `creator_idp_claims.<key>`,
 * `idp_claims.<key>` (forwarded SSO claims), `project_labels.<key>`, `environment_labels.<key>`.
 */
export const keyedClaimPrefixes: readonly string[] = principalEntries
  .filter(([, use]) => use === 'keys')
  .map(([name]) => `${name}.`);

/** The claims that are labels: in a token only when the organization's configuration asks for them. */
export const labelClaimNames = [
  'project_labels',
  'environment_labels',
] as const satisfies readonly PrincipalClaimName[];

/** The labels' prefixes among them: their keys follow the label key rule (core/labels.ts). */
export const labelClaimPrefixes: readonly string[] = labelClaimNames.map((name) => `${name}.`);

/** The forwarded SSO claims' prefixes among them. */
export const idpClaimPrefixes: readonly string[] = keyedClaimPrefixes.filter(
  (prefix) => !labelClaimPrefixes.includes(prefix),
);

// The token types name exactly the declared claims: a claim added to one and not the other fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const typesMatchDeclarations: [
  Same<keyof StandardClaims, (typeof standardClaimNames)[number]>,
  Same<keyof PrincipalClaims, PrincipalClaimName>,
  Same<keyof V2PrincipalClaims, (typeof v2ClaimNames)[number]>,
] = [true, true, true];
void typesMatchDeclarations;
