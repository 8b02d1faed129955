import type { ExtraClaim } from '../domain/audience-profile.ts';
import type { OidcConfig } from '../domain/oidc-config.ts';
import { composeV2Sub, composeV3Sub } from './compose-sub.ts';
import { configuredClaims } from './configured-claims.ts';
import { buildPrincipalClaims, type PrincipalClaims } from './principal-claims.ts';
import { resolveExtraClaims } from './profiles/extra-claims.ts';
import { subjectId, type TokenSubject, type TokenSubjectKind } from './token-subject.ts';
import { buildV2Claims, type V2PrincipalClaims } from './v2-claims.ts';

export interface TokenPreview {
  kind: TokenSubjectKind;
  id: string;
  sub: string;
  /** The claims besides the standard ones that a token would carry (an audience profile's extra ones last). */
  claims: (PrincipalClaims | V2PrincipalClaims) & Record<string, unknown>;
}

/**
 * What a principal's token would say under a (proposed) configuration, or an audience profile's
 * configuration and extra claims; for the console and the CLI.
 */
export function previewToken(
  subject: TokenSubject,
  config: OidcConfig,
  extraClaims: readonly ExtraClaim[] = [],
): TokenPreview {
  const base = { kind: subject.kind, id: subjectId(subject) };
  const principalClaims = buildPrincipalClaims(subject);
  const extra = extraClaims.length > 0 ? resolveExtraClaims(principalClaims, extraClaims) : {};
  if (config.version === 'v2') {
    return { ...base, sub: composeV2Sub(subject), claims: { ...buildV2Claims(subject), ...extra } };
  }
  return {
    ...base,
    sub: composeV3Sub(subject.kind, principalClaims, config.extraSubFields),
    claims: { ...configuredClaims(principalClaims, config), ...extra },
  };
}
