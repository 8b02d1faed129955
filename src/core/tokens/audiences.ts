import { invalidArgument } from '../errors.ts';

export const maxAudiences = 10;
export const maxAudienceLength = 256;

const whitespaceOrControl = /[\s\p{Cc}]/u;

/**
 * The audiences of docs/tokens.md#asking-for-a-token: at least one, each a non-empty string without whitespace of at most 256
 * characters, at most 10 once duplicates are folded (first occurrence keeps its place).
 */
export function normalizeAudiences(input: unknown): string[] {
  if (!Array.isArray(input)) throw invalidArgument('audience', 'must be a list of strings');
  if (input.length === 0) throw invalidArgument('audience', 'at least one audience is required');
  const audiences: string[] = [];
  input.forEach((audience: unknown, index) => {
    if (typeof audience !== 'string') throw invalidArgument(`audience[${index}]`, 'must be a string');
    if (audience === '') throw invalidArgument(`audience[${index}]`, 'must not be empty');
    if (whitespaceOrControl.test(audience)) {
      throw invalidArgument(`audience[${index}]`, 'must not contain whitespace or control characters');
    }
    if (audience.length > maxAudienceLength) {
      throw invalidArgument(
        `audience[${index}]`,
        `is ${audience.length} characters long; at most ${maxAudienceLength} are allowed`,
      );
    }
    if (!audiences.includes(audience)) audiences.push(audience);
  });
  if (audiences.length > maxAudiences) {
    throw invalidArgument(
      'audience',
      `${audiences.length} distinct audiences asked for; at most ${maxAudiences} are allowed`,
    );
  }
  return audiences;
}
