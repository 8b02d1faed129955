import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: the fault scenarios and the API fuzz (test/reliability), kept out of
 * `npm test`. Every run is bounded: the fuzz stops generating at its time budget (ENVID_FUZZ_BUDGET_S,
 * see docs/reliability.md) and the timeouts below are ceilings above it.
 */
export default defineConfig({
  test: {
    // The fault scenarios run the built CLI (envid serve), as users do.
    globalSetup: ['test/support/global-setup.ts'],
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    // Two cores: PGlite and the fuzz's calls are CPU-bound; more workers only thrash.
    maxWorkers: 2,
  },
});
