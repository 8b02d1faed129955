import type { OidcConfig } from '../domain/oidc-config.ts';
import { composeV2Sub, composeV3Sub } from './compose-sub.ts';
import { configuredClaims } from './configured-claims.ts';
import { buildPrincipalClaims, type PrincipalClaims } from './principal-claims.ts';
import { subjectId, type TokenSubject, type TokenSubjectKind } from './token-subject.ts';
import { buildV2Claims, type V2PrincipalClaims } from './v2-claims.ts';

export interface TokenPreview {
  kind: TokenSubjectKind;
  id: string;
  sub: string;
  /** The claims besides the standard ones that a token would carry. */
  claims: PrincipalClaims | V2PrincipalClaims;
}

/** What a principal's token would say under a (proposed) configuration; for the console and the CLI. */
export function previewToken(subject: TokenSubject, config: OidcConfig): TokenPreview {
  const base = { kind: subject.kind, id: subjectId(subject) };
  if (config.version === 'v2') {
    return { ...base, sub: composeV2Sub(subject), claims: buildV2Claims(subject) };
  }
  const claims = buildPrincipalClaims(subject);
  return {
    ...base,
    sub: composeV3Sub(subject.kind, claims, config.extraSubFields),
    claims: configuredClaims(claims, config),
  };
}
