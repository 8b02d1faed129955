import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.ts';
import { normalizeAudiences } from '../../src/core/tokens/audiences.ts';
import { httpStatusOf } from '../../src/server/connect/errors.ts';
import { thrown } from '../support/thrown.ts';

const errorOf = (input: unknown): ApiError => thrown(() => normalizeAudiences(input), ApiError);

describe('audience validation (docs/tokens.md#asking-for-a-token)', () => {
  it('folds duplicates keeping the first occurrence', () => {
    expect(normalizeAudiences(['b', 'a', 'b', 'a', 'c'])).toEqual(['b', 'a', 'c']);
  });

  it.each([
    [[], 'audience: at least one audience is required'],
    ['sts.amazonaws.com', 'audience: must be a list of strings'],
    [undefined, 'audience: must be a list of strings'],
    [['ok', ''], 'audience[1]: must not be empty'],
    [['ok', 42], 'audience[1]: must be a string'],
    [['has space'], 'audience[0]: must not contain whitespace or control characters'],
    [['tab\there'], 'audience[0]: must not contain whitespace or control characters'],
    [['nul\u0000'], 'audience[0]: must not contain whitespace or control characters'],
    [['x'.repeat(257)], 'audience[0]: is 257 characters long; at most 256 are allowed'],
    [
      Array.from({ length: 11 }, (_, i) => `aud-${i}`),
      'audience: 11 distinct audiences asked for; at most 10 are allowed',
    ],
  ])('refuses %j', (input, message) => {
    const error = errorOf(input);
    expect(error.code).toBe('invalid_argument');
    expect(httpStatusOf[error.code]).toBe(400);
    expect(error.message).toBe(message);
  });

  it('accepts the limits exactly', () => {
    expect(normalizeAudiences(['x'.repeat(256)])).toHaveLength(1);
    const ten = Array.from({ length: 10 }, (_, i) => `aud-${i}`);
    expect(normalizeAudiences([...ten, ...ten])).toEqual(ten);
  });
});
