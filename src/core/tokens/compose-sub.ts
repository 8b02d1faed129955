import type { OidcConfig } from '../domain/oidc-config.ts';
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
  const defaults = subDefaultKeys(kind);
  const pairs: SubPair[] = [];
  const add = (key: string) => {
    const value = resolveSubField(claims, key);
    if (value !== undefined) pairs.push([key, value]);
  };
  for (const key of defaults) add(key);
  // No Set per call: the lists are short, and a preview composes subs for every principal.
  extraSubFields.forEach((key, i) => {
    if (!defaults.includes(key) && extraSubFields.indexOf(key) === i) add(key);
  });
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

/** A subject's `sub` under the current and a proposed configuration; `sub` is the proposed one. */
export interface SubjectSubs {
  subject: TokenSubject;
  before: string;
  sub: string;
}

/**
 * Every subject's `sub` under `before` and under `after`, in one pass that builds each subject's
 * claims once (an organization-wide preview does this for tens of thousands of principals).
 */
export function subjectSubs(
  subjects: Iterable<TokenSubject>,
  before: OidcConfig,
  after: OidcConfig,
): SubjectSubs[] {
  const needsClaims = before.version === 'v3' || after.version === 'v3';
  const out: SubjectSubs[] = [];
  for (const subject of subjects) {
    const claims = needsClaims ? buildPrincipalClaims(subject) : undefined;
    const under = (config: OidcConfig) =>
      config.version === 'v2'
        ? composeV2Sub(subject)
        : composeV3Sub(subject.kind, claims as PrincipalClaims, config.extraSubFields);
    out.push({ subject, before: under(before), sub: under(after) });
  }
  return out;
}
