import type { OidcConfig } from '../../store/records.ts';
import { subDefaultKeys, v2SubSegment } from '../principal-kinds.ts';
import { buildPrincipalClaims, type PrincipalClaims } from './principal-claims.ts';
import { joinSubPairs, type SubPair } from './sub-encoding.ts';
import { resolveSubField } from './sub-fields.ts';
import {
  subjectId,
  subjectOrganizationId,
  type TokenSubject,
  type TokenSubjectKind,
} from './token-subject.ts';

/**
 * The pairs of a V3 `sub`: the kind's default keys (principal-kinds.ts), then extra fields in order; no
 * key twice, absent values left out.
 */
export function composeV3SubPairs(
  kind: TokenSubjectKind,
  claims: PrincipalClaims,
  extraSubFields: readonly string[],
): SubPair[] {
  const seen = new Set<string>();
  const pairs: SubPair[] = [];
  for (const key of [...subDefaultKeys(kind), ...extraSubFields]) {
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

/**
 * The legacy path-shaped `sub` of docs/tokens.md#v2-legacy-path-shaped-sub (relying parties match its
 * prefixes): the organization, an environment's project when it has one, then the principal.
 */
export function composeV2Sub(subject: TokenSubject): string {
  const project =
    subject.kind === 'environment' && subject.environment.projectId
      ? `/prj:${subject.environment.projectId}`
      : '';
  return `org:${subjectOrganizationId(subject)}${project}/${v2SubSegment(subject.kind)}:${subjectId(subject)}`;
}

/** The `sub` a subject gets under an organization's configuration. */
export function subjectSub(subject: TokenSubject, config: OidcConfig): string {
  if (config.version === 'v2') return composeV2Sub(subject);
  return composeV3Sub(subject.kind, buildPrincipalClaims(subject), config.extraSubFields);
}
