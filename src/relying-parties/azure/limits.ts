import type { RelyingPartyLimits } from '../relying-party.ts';

/**
 * Entra ID's limits on workload identity federation: a federated identity credential holds an issuer and
 * a subject of at most 600 characters, and one application holds at most 20 of them.
 */
export const azureLimits = {
  subject: { max: 600, unit: 'characters' },
  issuer: { max: 600, unit: 'characters' },
  trustEntries: 20,
} as const satisfies RelyingPartyLimits;
