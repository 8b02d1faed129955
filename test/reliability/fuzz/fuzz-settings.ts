import { randomInt } from 'node:crypto';

/**
 * How much the fuzz does, from the environment (docs/reliability.md):
 * - ENVID_FUZZ_SEED: replays a run (every run prints its seed, fast-check prints it on a failure);
 * - ENVID_FUZZ_PATH: with the seed and `-t <test>`, goes straight to a failure's counterexample;
 * - ENVID_FUZZ_RUNS: calls per method and engine (default 100);
 * - ENVID_FUZZ_HTTP_RUNS: raw HTTP requests per engine (default 300);
 * - ENVID_FUZZ_BUDGET_S: the whole fuzz's time budget in seconds (default 150), shared out between the
 *   engines and methods: a property that uses up its share stops generating and passes with what ran;
 * - ENVID_FUZZ_STRICT=1: ignores the known-defects list, so every known defect fails again.
 */

const integer = (name: string, fallback: number): number => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
};

export interface FuzzSettings {
  seed: number;
  path: string | undefined;
  runsPerMethod: number;
  httpRuns: number;
  budgetMs: number;
  strict: boolean;
}

export function readFuzzSettings(): FuzzSettings {
  return {
    seed: integer('ENVID_FUZZ_SEED', randomInt(2 ** 31)),
    path: process.env.ENVID_FUZZ_PATH || undefined,
    runsPerMethod: integer('ENVID_FUZZ_RUNS', 100),
    httpRuns: integer('ENVID_FUZZ_HTTP_RUNS', 300),
    budgetMs: integer('ENVID_FUZZ_BUDGET_S', 150) * 1000,
    strict: process.env.ENVID_FUZZ_STRICT === '1',
  };
}
