import type { TokenUnderCheck } from './check-verdict.ts';

/** Which time rule a token breaks at `now`, with the values for the refusal. */
export interface TimeProblem {
  rule: 'exp' | 'nbf' | 'iat';
  ruleValue: string;
  tokenValue: string;
}

/**
 * The time claims as relying parties read them (integer seconds): expired once `now` is past
 * `exp + leeway`, not yet valid before `nbf - leeway`, and (where `checkIat`) issued in the future
 * beyond the leeway. Undefined when the token is within its time range.
 */
export function timeProblem(
  token: TokenUnderCheck,
  now: number,
  { leewaySeconds = 0, checkIat = false, expiredAtExp = false } = {},
): TimeProblem | undefined {
  const { exp, nbf, iat } = token.claims;
  if (typeof exp !== 'number')
    return { rule: 'exp', ruleValue: 'an integer exp', tokenValue: String(exp ?? 'none') };
  const expired = expiredAtExp ? exp + leewaySeconds <= now : exp + leewaySeconds < now;
  if (expired)
    return {
      rule: 'exp',
      ruleValue: `now (${now})${leewaySeconds ? ` - ${leewaySeconds} s leeway` : ''} before exp`,
      tokenValue: `exp ${exp} (expired ${now - exp} s ago)`,
    };
  if (typeof nbf === 'number' && nbf - leewaySeconds > now)
    return {
      rule: 'nbf',
      ruleValue: `now (${now})${leewaySeconds ? ` + ${leewaySeconds} s leeway` : ''} at or after nbf`,
      tokenValue: `nbf ${nbf} (${nbf - now} s ahead)`,
    };
  if (checkIat && typeof iat === 'number' && iat - leewaySeconds > now)
    return {
      rule: 'iat',
      ruleValue: `now (${now}) at or after iat`,
      tokenValue: `iat ${iat} (${iat - now} s ahead)`,
    };
  return undefined;
}

/** The fix for a time refusal: a new token, or the clocks. */
export const timeFix =
  'get a fresh token (`envid idp token`, or run the check without --token-file); if a fresh one is refused too, compare the clocks of this machine, the envid server and the provider';
