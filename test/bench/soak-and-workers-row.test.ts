import { describe, expect, it } from 'vitest';
import { emptyMinute, formatSoak, judge, recordOutcome, type SoakMinute } from '../../bench/soak-report.ts';
import { helpListsWorkers } from '../../bench/workers-support.ts';

/** `count` minutes of 10 requests each, with the given resident memory (KiB) at each minute's end. */
function minutes(rss: number[]): SoakMinute[] {
  const all = rss.map(() => emptyMinute());
  rss.forEach((kib, index) => {
    for (let i = 0; i < 10; i++) recordOutcome(all, { dueMs: index * 60_000 + i * 100, latencyMs: i + 1 });
    all[index]!.rssKiB = kib;
  });
  return all;
}

describe('the soak verdict', () => {
  it('is met with no errors and less than 10% growth after the first minute', () => {
    const verdict = judge(minutes([100_000, 140_000, 109_000]));
    expect(verdict).toMatchObject({ errors: 0, errorsMet: true, rssMet: true });
    // Growth counts from the end of minute 1 (warm-up), not from the start.
    expect(verdict.rssGrowth).toBeCloseTo(0.09);
  });

  it('is missed at 10% growth or by a single failed request, which the table names', () => {
    expect(judge(minutes([100_000, 105_000, 110_000])).rssMet).toBe(false);
    const failed = minutes([100_000, 100_000]);
    recordOutcome(failed, { dueMs: 61_000, latencyMs: 10_000, error: 'HTTP 503' });
    const verdict = judge(failed);
    expect(verdict).toMatchObject({ errors: 1, errorsMet: false, rssMet: true });
    expect(formatSoak(failed, verdict)).toContain('MISSED (1x HTTP 503)');
  });

  it('counts each request in the minute it was due and does not judge growth on one minute', () => {
    const one = minutes([100_000]);
    recordOutcome(one, { dueMs: 59_999, latencyMs: 2_000 });
    expect(one[0]!.requests).toBe(11);
    expect(judge(one).rssMet).toBeUndefined();
    expect(formatSoak(one, judge(one))).toMatch(/\| 1 \| 11 \| 0 \| 6\.0 \| 2000\.0 \| 2000\.0 \| 97\.7 \|/);
  });
});

describe('the workers row', () => {
  it('runs only when serve --help lists --workers as an option', () => {
    expect(
      helpListsWorkers('Options:\n  --port <port>  TCP port\n  --workers <count>  processes [2]\n'),
    ).toBe(true);
    expect(helpListsWorkers('Options:\n  --port <port>  TCP port, shared by the workers\n')).toBe(false);
  });
});
