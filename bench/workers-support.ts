import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const envidBin = join(import.meta.dirname, '../bin/envid.js');

/**
 * Whether this build's `envid serve` takes `--workers` (issue 17, being built beside this bench): the
 * workers row runs only then, and says why it did not otherwise.
 */
export function serveHasWorkers(): boolean {
  const help = execFileSync(process.execPath, [envidBin, 'serve', '--help'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return helpListsWorkers(help);
}

/** Whether a `serve --help` text lists the option itself (not merely mentions the word). */
export function helpListsWorkers(help: string): boolean {
  return /^\s*--workers\b/m.test(help);
}

export const workersSkipped =
  "workers row skipped: this build's `envid serve --help` has no --workers (the row runs once it has)";
