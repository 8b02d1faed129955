import type { SigningAlgorithm } from '../core/domain/public-jwk.ts';
import { parseAudiencePattern, patternMatches } from '../core/tokens/profiles/audience-pattern.ts';
import { azureDefaultAudience } from './azure/rules.ts';

/**
 * Which token signing algorithms each relying party plug-in accepts (docs/decisions/0193): Entra
 * verifies RS256 only; AWS, Google, Vault and Kubernetes verify ES256 as well. Token profiles read this
 * to refuse, at configuration time, an algorithm their relying party would reject.
 */
export const acceptedSigningAlgorithms = {
  aws: ['RS256', 'ES256'],
  azure: ['RS256'],
  gcp: ['RS256', 'ES256'],
  kubernetes: ['RS256', 'ES256'],
  vault: ['RS256', 'ES256'],
} as const satisfies Record<string, readonly SigningAlgorithm[]>;

export type RelyingPartyKind = keyof typeof acceptedSigningAlgorithms;

export function acceptsSigningAlgorithm(
  relyingParty: RelyingPartyKind,
  algorithm: SigningAlgorithm,
): boolean {
  return (acceptedSigningAlgorithms[relyingParty] as readonly SigningAlgorithm[]).includes(algorithm);
}

/** The audience each relying party's tokens are asked for by default (envid idp login <provider>). */
const knownAudiences: ReadonlyArray<[RelyingPartyKind, string, string]> = [
  ['azure', azureDefaultAudience, 'Azure (Entra ID)'],
];

/**
 * Why a profile for `audiences` may not sign with `algorithm`: a pattern reaching a relying party's
 * audience whose plug-in refuses that algorithm (Entra ID verifies RS256 only). Undefined when none does.
 */
export function algorithmRefusal(
  audiences: readonly string[],
  algorithm: SigningAlgorithm,
): string | undefined {
  for (const [relyingParty, audience, name] of knownAudiences) {
    if (acceptsSigningAlgorithm(relyingParty, algorithm)) continue;
    const reaching = audiences.find((given) =>
      patternMatches(parseAudiencePattern(given, 'audiences'), audience),
    );
    if (reaching === undefined) continue;
    const accepted = acceptedSigningAlgorithms[relyingParty].join(', ');
    return `${algorithm} cannot be used for audience ${JSON.stringify(reaching)}: ${name} (${audience}) verifies ${accepted} only`;
  }
  return undefined;
}
