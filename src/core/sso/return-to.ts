/**
 * Where a sign-in may send the browser afterwards: a path on envid itself, never another host (no open
 * redirect). Answers the problem, or undefined when `value` is such a path.
 */
export function returnToProblem(value: string): string | undefined {
  const problem =
    'returnTo must be a path on this server starting with a single "/" (e.g. /console), not a URL or another host';
  if (value.length > 2048) return 'returnTo must be at most 2048 characters';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return problem;
  // Browsers ignore tabs and newlines in URLs and read "\" as "/": refuse them rather than guess.
  if ([...value].some((c) => c === '\\' || c <= ' ' || c === '\u007f')) return problem;
  const parsed = new URL(value, 'http://envid.invalid');
  if (parsed.origin !== 'http://envid.invalid') return problem;
  return undefined;
}
