import type { OidcConfig } from '../../store/records.ts';
import { composeV2Sub, composeV3Sub } from './compose-sub.ts';
import { buildPrincipalClaims, type PrincipalClaims } from './principal-claims.ts';
import {
  subjectId,
  subjectOrganizationId,
  type TokenSubject,
  type TokenSubjectKind,
} from './token-subject.ts';

export interface TokenPreview {
  kind: TokenSubjectKind;
  id: string;
  sub: string;
  /** The claims besides the standard ones that a token would carry. */
  claims: PrincipalClaims | { org: string };
}

/** What a principal's token would say under a (proposed) configuration; for the console and the CLI. */
export function previewToken(subject: TokenSubject, config: OidcConfig): TokenPreview {
  const base = { kind: subject.kind, id: subjectId(subject) };
  if (config.version === 'v2') {
    return { ...base, sub: composeV2Sub(subject), claims: { org: subjectOrganizationId(subject) } };
  }
  const claims = buildPrincipalClaims(subject);
  return { ...base, sub: composeV3Sub(subject.kind, claims, config.extraSubFields), claims };
}
