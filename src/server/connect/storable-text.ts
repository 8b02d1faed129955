import { invalidArgument } from '../../core/errors.ts';
import { textProblem } from '../../core/storable-text.ts';

/**
 * JSON can carry text the database cannot store (`"\u0000"`, `"\ud800"`), so every string and field
 * name of a request is checked here, before any schema or handler sees it. Throws invalid_argument naming
 * the first such string by its full path (e.g. `initializer.specs.0.git.remoteUri`), or the object
 * holding such a field name; `root` names the value itself (`body`, `query`).
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
