import { describe, expect, it } from 'vitest';
import { isUuid, newId, newTimeOrderedId } from '../../src/core/ids.ts';

describe('ids', () => {
  it('makes lower-case hyphenated UUIDs', () => {
    const id = newId();
    expect(isUuid(id)).toBe(true);
    expect(isUuid(id.toUpperCase())).toBe(false);
    expect(isUuid('not-a-uuid')).toBe(false);
  });

  it('makes time-ordered UUIDs (version 7): the time in the first 48 bits, random after', () => {
    const at = new Date('2026-11-23T15:00:00.123Z');
    const id = newTimeOrderedId(at);
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at.getTime());
    expect(newTimeOrderedId(at)).not.toBe(id);
    const later = newTimeOrderedId(new Date(at.getTime() + 1));
    expect([later, id].sort()).toEqual([id, later]);
  });
});
