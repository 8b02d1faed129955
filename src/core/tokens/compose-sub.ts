import type { OidcConfig } from '../domain/oidc-config.ts';
import { buildPrincipalClaims, type PrincipalClaims } from './principal-claims.ts';
import { joinSubPairs, type SubPair } from './sub-encoding.ts';
import { resolveSubField } from './sub-fields.ts';
import { subjectOrganizationId, type TokenSubject, type TokenSubjectKind } from './token-subject.ts';

/** The keys every V3 `sub` of a principal kind starts with (docs/tokens.md#the-v3-sub). */
export function defaultSubKeys(kind: TokenSubjectKind, claims: PrincipalClaims): string[] {
  switch (kind) {
    case 'environment':
      return claims.project_id ? ['organization_id', 'project_id'] : ['organization_id'];
    case 'user':
      return ['organization_id', 'user_id'];
    case 'service_account':
      return ['organization_id', 'service_account_id'];
    case 'runner':
      return ['organization_id', 'runner_id'];
  }
}

/** The pairs of a V3 `sub`: default keys, then extra fields in order; no key twice, absent values left out. */
export function composeV3SubPairs(
  kind: TokenSubjectKind,
  claims: PrincipalClaims,
  extraSubFields: readonly string[],
): SubPair[] {
  const seen = new Set<string>();
  const pairs: SubPair[] = [];
  for (const key of [...defaultSubKeys(kind, claims), ...extraSubFields]) {
    if (seen.has(key)) continue;
    seen.add(key);
    const value = resolveSubField(claims, key);
    if (value !== undefined) pairs.push([key, value]);
  }
  return pairs;
}

export function composeV3Sub(
  kind: TokenSubjectKind,
  claims: PrincipalClaims,
  extraSubFields: readonly string[],
): string {
  return joinSubPairs(composeV3SubPairs(kind, claims, extraSubFields));
}

/** The legacy path-shaped `sub` of docs/tokens.md#v2-legacy-path-shaped-sub (relying parties match its prefixes). */
export function composeV2Sub(subject: TokenSubject): string {
  const org = `org:${subjectOrganizationId(subject)}`;
  switch (subject.kind) {
    case 'user':
      return `${org}/user:${subject.user.id}`;
    case 'service_account':
      return `${org}/sa:${subject.serviceAccount.id}`;
    case 'runner':
      return `${org}/rnr:${subject.runner.id}`;
    case 'environment': {
      const { environment } = subject;
      return environment.projectId
        ? `${org}/prj:${environment.projectId}/env:${environment.id}`
        : `${org}/env:${environment.id}`;
    }
  }
}

/** The `sub` a subject gets under an organization's configuration. */
export function subjectSub(subject: TokenSubject, config: OidcConfig): string {
  if (config.version === 'v2') return composeV2Sub(subject);
  return composeV3Sub(subject.kind, buildPrincipalClaims(subject), config.extraSubFields);
}
