import fc from 'fast-check';
import type { FuzzSettings } from './fuzz-settings.ts';

/** Calls made and calls left out for want of time, over the whole run (printed at its end). */
export const callCounts = { made: 0, leftOut: 0 };

/**
 * Runs one fast-check property with the run's seed (derived per test, so that tests do not all draw
 * the same choices), bounded by its run count and its share of the time budget. Past its time, the
 * remaining runs pass without calling anything (fast-check's own time limit would leave a call running
 * into the next test). A failure says how to replay exactly that counterexample.
 */
export async function checkProperty<T>(
  /** Names the property: its seed derives from this; and a `-t` filter that runs it again. */
  name: { seedKey: string; filter: string },
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
  settings: FuzzSettings,
  limits: { numRuns: number; timeLimitMs: number },
): Promise<void> {
  const seed = seedFor(settings.seed, name.seedKey);
  const deadline = Date.now() + limits.timeLimitMs;
  const bounded = async (value: T) => {
    if (Date.now() > deadline) {
      callCounts.leftOut++;
      return;
    }
    callCounts.made++;
    await predicate(value);
  };
  const details = await fc.check(fc.asyncProperty(arbitrary, bounded), {
    seed,
    ...(settings.path ? { path: settings.path } : {}),
    numRuns: limits.numRuns,
  });
  if (!details.failed) return;
  const replay =
    `replay: ENVID_FUZZ_SEED=${settings.seed} ENVID_FUZZ_PATH=${details.counterexamplePath} ` +
    `npm run test:reliability -- -t '${name.filter.replaceAll("'", '.')}'`;
  throw new Error(`${fc.defaultReportMessage(details)}\n${replay}`, { cause: details.errorInstance });
}

/** A 31-bit seed from the run's seed and the test's name (FNV-1a). */
function seedFor(seed: number, name: string): number {
  let hash = 0x811c9dc5 ^ seed;
  for (const character of name) hash = Math.imul(hash ^ character.charCodeAt(0), 0x01000193);
  return hash >>> 1;
}
