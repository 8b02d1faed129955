import { inject } from 'vitest';

/**
 * Every process a test starts through the helpers here (envid serve, the CLI, and what those start in
 * turn, such as detached refreshers) carries this variable, set to the run's id; the global teardown
 * fails the run naming any that is still alive (test/support/leftover-processes.ts).
 */
export const testRunVariable = 'ENVID_TEST_RUN';

declare module 'vitest' {
  export interface ProvidedContext {
    envidTestRun: string;
    envidTestRunDir: string;
  }
}

/** The variable that marks a process as this run's, to add to the environment of any process a test starts. */
export function testRunEnv(): Record<string, string> {
  const run = provided('envidTestRun');
  return run ? { [testRunVariable]: run } : {};
}

/** The run's own directory (removed by the global teardown), or undefined outside such a run. */
export function testRunDir(): string | undefined {
  return provided('envidTestRunDir');
}

/** What the global set-up provided; undefined outside a run with it (a script such as the benchmark). */
function provided(key: 'envidTestRun' | 'envidTestRunDir'): string | undefined {
  try {
    return inject(key) || undefined;
  } catch {
    return undefined;
  }
}
