import { describe, expect, it } from 'vitest';
import { restartDelayMs } from '../../../src/server/workers/restart-backoff.ts';

describe('restartDelayMs', () => {
  it('doubles from 250 ms for each young death in a row, up to 30 s', () => {
    expect([1, 2, 3, 4, 5].map(restartDelayMs)).toEqual([250, 500, 1000, 2000, 4000]);
    expect(restartDelayMs(8)).toBe(30_000);
    expect(restartDelayMs(1000)).toBe(30_000);
  });
});
