import type { RelyingPartyLimits } from '../relying-party.ts';

/**
 * AWS STS's limits on AssumeRoleWithWebIdentity: a web identity token of 4 to 20,000 characters, and an
 * IAM OIDC identity provider URL (the token's issuer) of at most 255 characters.
 */
export const awsLimits = {
  tokenLength: { min: 4, max: 20_000 },
  issuer: { max: 255, unit: 'characters' },
} as const satisfies RelyingPartyLimits;
