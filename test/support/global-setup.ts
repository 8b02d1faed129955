import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { canListProcesses, endLeftoverProcesses } from './leftover-processes.ts';
import { testRunVariable } from './test-run.ts';

/**
 * End-to-end tests run the built CLI, as users do: build it once per test run. The teardown fails the
 * run when a process a test started is still alive (killing it), so that none outlives the suite.
 */
export default function setup(project: TestProject): () => Promise<void> {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (!process.env['ENVID_TEST_DATABASE_URL']) {
    // Said once here: the `on postgres` variants are not even listed as skipped (engines in databases.ts).
    console.warn(
      'envid tests: ENVID_TEST_DATABASE_URL is not set: the suites run on PGlite only; their PostgreSQL variants and the PostgreSQL-only suites are left out (README.md, "Tests")',
    );
  }
  const run = `${process.pid}-${randomBytes(6).toString('hex')}`;
  project.provide('envidTestRun', run);
  // Shared by the run's workers (the PGlite template database); removed at the end.
  const runDir = mkdtempSync(join(tmpdir(), 'envid-test-run-'));
  project.provide('envidTestRunDir', runDir);
  return async () => {
    rmSync(runDir, { recursive: true, force: true });
    if (!canListProcesses) {
      console.warn('envid tests: no /proc here: cannot check that the tests left no process running');
      return;
    }
    const left = await endLeftoverProcesses(testRunVariable, run);
    if (left.length === 0) return;
    // Vitest reports an error thrown here but does not fail the run for it.
    process.exitCode = 1;
    throw new Error(
      `the tests left ${left.length} process(es) running (now killed):\n${left
        .map(({ pid, command }) => `  pid ${pid}: ${command}`)
        .join('\n')}`,
    );
  };
}
