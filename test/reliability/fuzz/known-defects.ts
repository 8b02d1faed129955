import type { Answer, Problem } from './check-answer.ts';
import type { SentRequest } from './judge-call.ts';

/**
 * Defects the fuzz finds that a change under way is fixing (none now). An answer
 * that one of these explains (and that has nothing else wrong) is counted and reported after the run,
 * not failed. Once a fix is merged, delete its entry: the fuzz then fails if the defect is back.
 * ENVID_FUZZ_STRICT=1 ignores this list (to see whether a fix has landed).
 */

export interface KnownDefect {
  /** Which change of issue 11 fixes it. */
  item: string;
  what: string;
  /** The kinds of problem it explains (check-answer.ts): a 5xx is `status`. */
  excuses: readonly Problem['kind'][];
  matches(sent: SentRequest, answer: Answer): boolean;
}

/** Empty: every defect the fuzz found while issue 11 was under way is fixed. Add one only with its issue. */
export const knownDefects: KnownDefect[] = [];

export function knownDefectOf(sent: SentRequest, answer: Answer): KnownDefect | undefined {
  return knownDefects.find((defect) => defect.matches(sent, answer));
}
