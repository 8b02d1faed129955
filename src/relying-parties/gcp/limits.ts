import type { RelyingPartyLimits } from '../relying-party.ts';

/**
 * Google Cloud's limits on a token: `google.subject` (mapped from `sub` in the usual
 * `google.subject=assertion.sub`) holds at most 127 bytes, and Google refuses a token whose `exp` is
 * 48 h or more after its `iat`.
 */
export const googleLimits = {
  subject: { max: 127, unit: 'bytes' },
  tokenLifetimeSeconds: 48 * 3600,
} as const satisfies RelyingPartyLimits;
