import { isCelError, isCelList, parse, run } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/** A CEL expression's value, or why it has none (a syntax error, a missing field, a type mismatch). */
export type CelResult = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Evaluates a CEL expression (Kubernetes claim rules and mappings, Google attribute mappings and
 * conditions) with `bindings` as its variables (`claims`, `assertion`, …), with the strings extension
 * (Kubernetes and Google both offer it). Plain JSON values bind as CEL values: numbers are doubles, as
 * JSON-decoded claims are in both. A list comes back as an array.
 */
export function evaluateCel(expression: string, bindings: Record<string, unknown>): CelResult {
  try {
    const value = run(expression, bindings as Parameters<typeof run>[1], { funcs: strings });
    if (isCelError(value)) return { ok: false, error: value.message };
    return { ok: true, value: isCelList(value) ? Array.from(value) : value };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/**
 * Why `expression` does not parse as CEL, or undefined when it does (a rule is checked when saved, as a
 * provider checks its configuration when loaded). CEL's optional syntax (`claims.?x`, `[?k]`), which
 * Kubernetes accepts, is one the evaluator here (cel-es) does not parse: the message says so.
 */
export function celSyntaxProblem(expression: string): string | undefined {
  try {
    parse(expression);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    return /\.\?|\[\?/.test(expression)
      ? `CEL optional syntax (.? or [?) is not one envid evaluates (${message})`
      : message;
  }
}
