import type { OidcConfig } from '../domain/oidc-config.ts';
import { type SubjectSubs, subjectSubs } from './compose-sub.ts';
import { subjectId, type TokenSubject, type TokenSubjectKind } from './token-subject.ts';

export interface SubChange {
  kind: TokenSubjectKind;
  id: string;
  before: string;
  after: string;
}

/**
 * The principals whose `sub` a configuration change alters: each one breaks the trust rules written for
 * it, so the API asks the caller to confirm such a change (docs/tokens.md#changing-sub-needs-confirmation).
 */
export function findSubChanges(
  before: OidcConfig,
  after: OidcConfig,
  subjects: Iterable<TokenSubject>,
): SubChange[] {
  return summarizeSubChanges(subjectSubs(subjects, before, after), Number.POSITIVE_INFINITY).listed;
}

/** How many subjects' `sub` changes, and the first `max` of those changes (in the subjects' order). */
export function summarizeSubChanges(
  subs: readonly SubjectSubs[],
  max: number,
): { count: number; listed: SubChange[] } {
  let count = 0;
  const listed: SubChange[] = [];
  for (const { subject, before, sub } of subs) {
    if (before === sub) continue;
    count++;
    if (listed.length < max) listed.push({ kind: subject.kind, id: subjectId(subject), before, after: sub });
  }
  return { count, listed };
}

export function changesAnySub(
  before: OidcConfig,
  after: OidcConfig,
  subjects: Iterable<TokenSubject>,
): boolean {
  return findSubChanges(before, after, subjects).length > 0;
}
