import { describe, expect, it } from 'vitest';
import { isUuid, newId } from '../../src/core/ids.ts';

describe('ids', () => {
  it('makes lower-case hyphenated UUIDs', () => {
    const id = newId();
    expect(isUuid(id)).toBe(true);
    expect(isUuid(id.toUpperCase())).toBe(false);
    expect(isUuid('not-a-uuid')).toBe(false);
  });
});
