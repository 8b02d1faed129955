/**
 * What `envid idp check <provider>` answers: the provider would accept the token under the trust
 * configuration, or it would refuse it with its own error code, the rule at fault, the value that rule
 * holds, the token's value and where the two first differ. Each relying party's check.ts computes one
 * (pure: token claims + parsed configuration + the time); the CLI prints it (src/cli/idp/render-check.ts).
 */
export interface CheckVerdict {
  /** The relying party's id: `aws`. */
  relyingParty: string;
  accepted: boolean;
  /** On refusal: the provider's own code, e.g. `AADSTS700213`, `AccessDenied`, `401 Unauthorized`. */
  code?: string;
  /** On refusal: what the provider says or means, in one sentence. */
  reason?: string;
  /** On refusal: the rule at fault, named as the provider's document names it. */
  rule?: string;
  /** What the rule holds (a value, a pattern, an expression). */
  ruleValue?: string;
  /** What the token holds where the rule looks. */
  tokenValue?: string;
  /** Index (UTF-16 code units) of the first character where ruleValue and tokenValue differ. */
  differsAt?: number;
  /** What to change so that it is accepted. */
  fix?: string;
  /** On acceptance: what the provider makes of the token (Google's google.subject, Kubernetes' username). */
  identity?: Record<string, string | string[]>;
  /** Things noticed that do not decide the verdict. */
  warnings: string[];
}

/** What a check is given: the token's decoded parts and its length (never its signature). */
export interface TokenUnderCheck {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  length: number;
}

/** The refusal half of a verdict, as an evaluator builds it. */
export interface Refusal {
  code: string;
  reason: string;
  rule: string;
  ruleValue?: string;
  tokenValue?: string;
  fix: string;
  /** The characters of ruleValue that match anything (`*?` for IAM's StringLike, `*` for a Vault glob). */
  wildcards?: string;
  /** False where the two are descriptions rather than values (times, lengths): no first difference. */
  comparable?: boolean;
}

export function accepted(
  relyingParty: string,
  warnings: string[] = [],
  identity?: Record<string, string | string[]>,
): CheckVerdict {
  return { relyingParty, accepted: true, warnings, ...(identity ? { identity } : {}) };
}

/** A refusal; where the rule and the token hold comparable strings, where they first differ. */
export function refused(relyingParty: string, refusal: Refusal, warnings: string[] = []): CheckVerdict {
  const { wildcards, comparable = true, ...rest } = refusal;
  const differsAt =
    comparable && refusal.ruleValue !== undefined && refusal.tokenValue !== undefined
      ? firstDifference(refusal.ruleValue, refusal.tokenValue, wildcards)
      : undefined;
  return {
    relyingParty,
    accepted: false,
    ...rest,
    ...(differsAt !== undefined ? { differsAt } : {}),
    warnings,
  };
}

/**
 * The index of the first character where `a` and `b` differ; the shorter length when one is a prefix
 * of the other; undefined when they are equal. A pattern's wildcard (`*`, `?` for IAM, `*` for Vault)
 * counts as matching from there on: the difference is in its literal part.
 */
export function firstDifference(a: string, b: string, wildcards = ''): number | undefined {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    if (wildcards.includes(a[index]!)) return undefined;
    if (a[index] !== b[index]) return index;
  }
  if (a.length === b.length) return undefined;
  const next = a[length];
  if (next !== undefined && wildcards.includes(next)) return undefined;
  return length;
}

/** A claim as a string, or undefined when the token has none or it is not a string. */
export function stringClaim(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' ? value : undefined;
}

/** `aud` as a list (a JWT's aud is a string or an array of strings). */
export function audiences(claims: Record<string, unknown>): string[] {
  const aud = claims['aud'];
  if (Array.isArray(aud)) return aud.filter((value): value is string => typeof value === 'string');
  return typeof aud === 'string' ? [aud] : [];
}

/** `aud` as the messages show it. */
export function audienceText(claims: Record<string, unknown>): string {
  const list = audiences(claims);
  return list.length === 1 ? list[0]! : JSON.stringify(list);
}

/**
 * Of `candidates`, the one closest to `value` (the longest common prefix), so that a refusal names the
 * entry the user most likely meant.
 */
export function closest(candidates: readonly string[], value: string): string | undefined {
  let best: string | undefined;
  let bestLength = -1;
  for (const candidate of candidates) {
    const at = firstDifference(candidate, value) ?? Number.POSITIVE_INFINITY;
    if (at > bestLength) {
      best = candidate;
      bestLength = at;
    }
  }
  return best;
}
