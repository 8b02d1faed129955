import type { RelyingPartyLimits } from '../relying-party.ts';

/**
 * The kube-apiserver's JWT authenticator sets no limit on `sub`, the issuer or the token's lifetime of
 * its own: its AuthenticationConfiguration's claimValidationRules say what it accepts (a rule such as
 * `claims.exp - claims.nbf <= 86400` is the usual way to bound a lifetime).
 */
export const kubernetesLimits: RelyingPartyLimits = {};
