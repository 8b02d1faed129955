import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The fault scenarios and the fuzz run apart: `npm run test:reliability` (vitest.reliability.config.ts).
    exclude: [...configDefaults.exclude, 'test/reliability/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Three workers on two cores: many tests wait on processes they started (servers, the CLI), so a
    // third file keeps the cores busy (measured on 2 cores: 455 s with 2 workers, 391-452 s with 3,
    // 422 s with 4).
    maxWorkers: 3,
  },
});
