import type { OidcConfig } from '../domain/oidc-config.ts';
import { composeV3SubPairs, subjectSub } from './compose-sub.ts';
import { buildPrincipalClaims } from './principal-claims.ts';
import { joinSubPairs } from './sub-encoding.ts';
import type { TokenSubject, TokenSubjectKind } from './token-subject.ts';

/**
 * Whose tokens a relying party's trust should accept (docs/trust.md#scopes): one principal (the caller,
 * a user, a service account, a runner), every environment of a project, or the whole organization.
 */
export type TrustScope =
  | { kind: 'principal'; principal: TokenSubjectKind; id: string }
  | { kind: 'project'; projectId: string }
  | { kind: 'organization' };

/** The `sub` a scope's tokens carry: one exact value, or the prefix every one of them starts with. */
export interface ScopeSubject {
  /** Every token of the scope carries exactly this `sub`, now and for principals created later. */
  subject?: string;
  /**
   * Every `sub` of the scope is this value or starts with it followed by `:` (V3) or further path
   * segments (V2); absent when `subject` is set, or when no such prefix exists (`prefixProblem`).
   */
  subjectPrefix?: string;
  /**
   * Glob patterns (`*` only, for AWS StringLike and Vault glob) that match every `sub` of the scope and
   * no other principal's: `[subject]`, or the prefix as itself and followed by a separator.
   */
  patterns: string[];
  /** Why no exact `sub` or prefix covers the scope, when none does. */
  prefixProblem?: string;
  /** The distinct `sub`s the scope's existing principals get, in their order. */
  subs: string[];
}

/**
 * The `sub` of `scope` under `config`. `subjects` are the scope's existing principals (for an exact
 * scope, the one principal): they give the distinct subs an exact-match relying party needs one entry
 * for. Whether a sub is exact or only a prefix is decided from the configuration and principal kinds,
 * not from the data, so that it holds for principals created later too.
 */
export function scopeSubject(
  scope: TrustScope,
  organizationId: string,
  config: OidcConfig,
  subjects: readonly TokenSubject[],
): ScopeSubject {
  const subs = [...new Set(subjects.map((subject) => subjectSub(subject, config)))];
  if (scope.kind === 'principal') {
    const subject = subs[0];
    return subject === undefined ? { patterns: [], subs } : { subject, patterns: [subject], subs };
  }
  if (config.version === 'v2') {
    // V2 subs are paths ending in the principal: a scope is a path prefix, never one exact value.
    const prefix =
      scope.kind === 'project'
        ? `org:${organizationId}/prj:${scope.projectId}/env:`
        : `org:${organizationId}/`;
    return { subjectPrefix: prefix, patterns: [`${prefix}*`], subs };
  }
  const fixed: [string, string][] =
    scope.kind === 'project'
      ? [
          ['organization_id', organizationId],
          ['project_id', scope.projectId],
        ]
      : [['organization_id', organizationId]];
  const kinds: TokenSubjectKind[] =
    scope.kind === 'project' ? ['environment'] : ['user', 'service_account', 'runner', 'environment'];
  let varies = scope.kind === 'organization';
  for (const kind of kinds) {
    const keys = composeV3SubPairs(
      kind,
      buildPrincipalClaims(fullestSubject(kind, config)),
      config.extraSubFields,
    ).map(([key]) => key);
    const leading = fixed.every(([key], i) => keys[i] === key);
    if (!leading) {
      const first = keys.find((key) => !fixed.some(([fixedKey]) => fixedKey === key));
      return {
        patterns: [],
        subs,
        prefixProblem: `a ${kind.replace('_', ' ')}'s sub has ${first ?? 'another field'} before ${fixed.map(([key]) => key).join(' and ')}, so no prefix covers the scope`,
      };
    }
    if (keys.length > fixed.length) varies = true;
  }
  const prefix = joinSubPairs(fixed);
  if (!varies) return { subject: prefix, patterns: [prefix], subs };
  return { subjectPrefix: prefix, patterns: [prefix, `${prefix}:*`], subs };
}

/** A made-up principal of `kind` with every claim set (the configuration's SSO claims too): which keys its sub may hold. */
function fullestSubject(kind: TokenSubjectKind, config: OidcConfig): TokenSubject {
  // Every key the configuration names under these prefixes, set: the SSO claims, the labels.
  const keysUnder = (...prefixes: string[]) =>
    Object.fromEntries(
      (config.version === 'v3' ? config.extraSubFields : [])
        .filter((field) => prefixes.some((prefix) => field.startsWith(prefix)))
        .map((field) => [field.slice(field.indexOf('.') + 1), 'x']),
    );
  const idpClaims = keysUnder('idp_claims.', 'creator_idp_claims.');
  const user = { id: 'u', email: 'e@x', name: 'n', idp: 'https://idp', idpClaims };
  const initializers = [
    { git: { remoteUri: 'https://r', upstreamRemoteUri: 'https://u' }, contextUrl: 'https://c' },
  ];
  switch (kind) {
    case 'user':
      return { kind, organizationId: 'o', user };
    case 'service_account':
      return { kind, serviceAccount: { id: 's', organizationId: 'o', name: 'n' } };
    case 'runner':
      return { kind, runner: { id: 'r', organizationId: 'o', name: 'n' } };
    case 'environment':
      return {
        kind,
        organizationId: 'o',
        project: { id: 'p', initializers, labels: keysUnder('project_labels.') },
        environment: {
          id: 'e',
          projectId: 'p',
          runnerId: 'r',
          creatorId: 'u',
          creatorPrincipal: 'user',
          creatorIdp: user.idp,
          creatorIdpClaims: idpClaims,
          initializers,
          labels: keysUnder('environment_labels.'),
        },
        creator: { principal: 'user', user },
      };
  }
}
