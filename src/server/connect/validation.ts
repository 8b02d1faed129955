import { z } from 'zod';
import { invalidArgument } from '../../core/errors.ts';
import { uuidPattern } from '../../core/ids.ts';
import { assertStorableText } from './storable-text.ts';

/** A required ID field. */
export const uuid = () =>
  z.string().regex(uuidPattern, {
    error: 'must be a UUID (lower-case, hyphenated, e.g. 3f2504e0-4f89-41d3-9a0c-0305e82c3301)',
  });

/** A required, trimmed, non-empty text of at most `max` characters. */
export const text = (max = 80) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` });

/** Connect list paging: `pagination: { pageSize, token }`. */
export const pagination = z
  .object({
    pageSize: z
      .number()
      .int({ error: 'must be an integer' })
      .min(1, { error: 'must be between 1 and 100' })
      .max(100, { error: 'must be between 1 and 100' })
      .optional(),
    token: z.string().optional(),
  })
  .optional();

const article: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'a JSON object',
  array: 'an array',
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Parses a request body; the first problem becomes an invalid_argument error naming its field. Text the
 * database cannot store is refused first, wherever it is in the body (fields the schema drops included).
 */
export function parseInput<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  assertStorableText(body);
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
  if (issue.code !== 'invalid_type') throw invalidArgument(field, issue.message);
  if (issue.input === undefined) throw invalidArgument(field, 'is required');
  const expected = article[issue.expected] ?? issue.expected;
  throw invalidArgument(field, `must be ${expected}, got ${describe(issue.input)}`);
}
