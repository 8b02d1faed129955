import { execFile } from 'node:child_process';
import { envidBin } from './envid-process.ts';
import { testRunEnv } from './test-run.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `envid` with only the environment given (plus PATH and the run's marker, see
 * test-run.ts), never the caller's ENVID_*.
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  /** `script`: another path to the envid script (a link to it, as npm makes), instead of bin/envid.js. */
  options: { input?: string; nodeArgs?: string[]; script?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), options.script ?? envidBin, ...args],
      { env: { PATH: process.env['PATH'], ...testRunEnv(), ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();
  });
}
