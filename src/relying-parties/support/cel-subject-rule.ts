import type { TrustPlan } from '../trust-plan.ts';

/** A CEL string literal (single-quoted; `\` and `'` escaped). */
export function celString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/**
 * A CEL rule over `<variable>.sub` (Google's `assertion`, Kubernetes' `claims`) that only the scope's
 * tokens pass: the exact sub, or the prefix as itself or followed by `:` (V3) or by more path (V2).
 */
export function celSubjectRule(plan: TrustPlan, variable: string): string {
  const sub = `${variable}.sub`;
  if (plan.subject !== undefined) return `${sub} == ${celString(plan.subject)}`;
  const prefix = plan.subjectPrefix;
  if (prefix === undefined) return 'false';
  // V3 patterns are [prefix, prefix:*]; V2's one pattern is the path prefix followed by `*`.
  return plan.subjectPatterns.includes(prefix)
    ? `${sub} == ${celString(prefix)} || ${sub}.startsWith(${celString(`${prefix}:`)})`
    : `${sub}.startsWith(${celString(prefix)})`;
}
