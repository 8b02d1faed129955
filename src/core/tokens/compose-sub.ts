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
  const defaults = defaultSubKeys(kind, claims);
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
