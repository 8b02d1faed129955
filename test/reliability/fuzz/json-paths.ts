/** Reading and replacing values inside a JSON value by path, without changing the original. */

export type JsonPath = (string | number)[];

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every path in `value`, the root's (`[]`) first. */
export function pathsOf(value: unknown, path: JsonPath = []): JsonPath[] {
  const children: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : isPlainObject(value)
      ? Object.entries(value)
      : [];
  return [path, ...children.flatMap(([key, child]) => pathsOf(child, [...path, key]))];
}

export function valueAt(value: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>((current, key) => (current as Record<string | number, unknown>)?.[key], value);
}

/** `value` with the value at `path` replaced by `change(old)`; `undefined` removes it. */
export function changeAt(value: unknown, path: JsonPath, change: (old: unknown) => unknown): unknown {
  if (path.length === 0) return change(value);
  const [key, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    const next = changeAt(copy[key as number], rest, change);
    if (next === undefined && rest.length === 0) copy.splice(key as number, 1);
    else copy[key as number] = next;
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const next = changeAt(copy[key as string], rest, change);
  if (next === undefined) delete copy[key as string];
  else copy[key as string] = next;
  return copy;
}

/** The name of the field a path ends in (an array item takes its array's name). */
export const fieldAt = (path: JsonPath): string | undefined =>
  [...path].reverse().find((key): key is string => typeof key === 'string');
