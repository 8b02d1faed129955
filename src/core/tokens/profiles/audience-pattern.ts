import { invalidArgument } from '../../errors.ts';
import { maxAudienceLength } from '../audiences.ts';

/**
 * An audience pattern: without `*` it is exact; each `*` stands for any run of characters, possibly
 * empty (`api://envid-*`, `https://*.example.com/*`). Patterns are compared by how many literal
 * characters they fix: the more, the more specific.
 */
export interface AudiencePattern {
  text: string;
  exact: boolean;
  /** The literal pieces between the stars. */
  pieces: string[];
  /** Characters that are not `*`: the specificity of a glob. */
  literalLength: number;
}

const whitespaceOrControl = /[\s\p{Cc}]/u;

export function parseAudiencePattern(input: unknown, field: string): AudiencePattern {
  if (typeof input !== 'string') throw invalidArgument(field, 'must be a string');
  if (input === '') throw invalidArgument(field, 'must not be empty');
  if (whitespaceOrControl.test(input))
    throw invalidArgument(field, 'must not contain whitespace or control characters');
  if (input.length > maxAudienceLength) {
    throw invalidArgument(
      field,
      `is ${input.length} characters long; at most ${maxAudienceLength} are allowed`,
    );
  }
  if (input.includes('**')) throw invalidArgument(field, 'must not contain "**"; one "*" matches any run');
  const pieces = input.split('*');
  const literalLength = input.length - (pieces.length - 1);
  if (literalLength === 0) {
    throw invalidArgument(
      field,
      'must contain a character besides "*"; audiences no profile matches get the organization\'s OIDC configuration',
    );
  }
  return { text: input, exact: pieces.length === 1, pieces, literalLength };
}

export function patternMatches(pattern: AudiencePattern, audience: string): boolean {
  if (pattern.exact) return pattern.text === audience;
  const { pieces } = pattern;
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (audience.length < pattern.literalLength) return false;
  if (!audience.startsWith(first) || !audience.endsWith(last)) return false;
  // Greedy leftmost placement of the middle pieces is enough when `*` matches any run.
  let at = first.length;
  const end = audience.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const found = audience.indexOf(pieces[i]!, at);
    if (found < 0 || found + pieces[i]!.length > end) return false;
    at = found + pieces[i]!.length;
  }
  return at <= end;
}

/** Whether some audience matches both patterns (then equal specificity would be a tie). */
export function patternsOverlap(a: string, b: string): boolean {
  const memo = new Map<number, boolean>();
  const width = b.length + 1;
  const go = (i: number, j: number): boolean => {
    const key = i * width + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (a[i] === '*') result = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (b[j] === '*') result = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else result = i < a.length && j < b.length && a[i] === b[j] && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}
