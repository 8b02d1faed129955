import { invalidArgument } from '../../core/errors.ts';

/**
 * PostgreSQL stores no NUL character (in text or jsonb) and no unpaired UTF-16 surrogate (it is not
 * UTF-8): such a value makes the write fail. JSON can carry both (`"\u0000"`, `"\ud800"`), so every
 * string and field name of a request is checked here, before any schema or handler sees it.
 */
const suspect = /[\0\ud800-\udfff]/;
const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What is wrong with `text` for the database, or undefined when it can be stored. */
function textProblem(text: string): string | undefined {
  if (!suspect.test(text)) return undefined;
  if (text.includes('\0')) return 'a NUL character (U+0000)';
  const surrogate = unpairedSurrogate.exec(text)?.[0];
  if (surrogate === undefined) return undefined;
  const code = surrogate.charCodeAt(0).toString(16).toUpperCase();
  return `an unpaired UTF-16 surrogate (U+${code}), which is not valid Unicode`;
}

/**
 * Throws invalid_argument naming the first string (by its full path, e.g. `initializer.specs.0.git.remoteUri`)
 * or field name that the database cannot store. `root` names the value itself when it is a string, and
 * prefixes nothing otherwise (an empty root: paths start at the top-level fields).
 */
export function assertStorableText(value: unknown, root = 'body'): void {
  // Iterative: a deeply nested body must not overflow the stack.
  const pending: { value: unknown; path: string }[] = [{ value, path: '' }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) throw invalidArgument(shorten(path) || root, `must not contain ${problem}`);
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) {
        pending.push({ value: current[index], path: join(path, String(index)) });
      }
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current);
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, member] = entries[index]!;
        const problem = textProblem(key);
        if (problem) throw invalidArgument(shorten(path) || root, `field names must not contain ${problem}`);
        pending.push({ value: member, path: join(path, key) });
      }
    }
  }
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** A path in a message: a hostile body can nest thousands of levels deep or use huge field names. */
const maxPathLength = 200;
const shorten = (path: string): string =>
  path.length > maxPathLength ? `${path.slice(0, maxPathLength)}…` : path;
