import type { OidcConfig } from '../domain/oidc-config.ts';
import { subjectSub } from './compose-sub.ts';
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
  const changes: SubChange[] = [];
  for (const subject of subjects) {
    const was = subjectSub(subject, before);
    const will = subjectSub(subject, after);
    if (was !== will) changes.push({ kind: subject.kind, id: subjectId(subject), before: was, after: will });
  }
  return changes;
}

export function changesAnySub(
  before: OidcConfig,
  after: OidcConfig,
  subjects: Iterable<TokenSubject>,
): boolean {
  return findSubChanges(before, after, subjects).length > 0;
}
