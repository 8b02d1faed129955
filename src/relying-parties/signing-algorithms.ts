import type { SigningAlgorithm } from '../core/domain/public-jwk.ts';

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
