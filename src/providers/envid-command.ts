import { resolve } from 'node:path';
import { usageError } from '../cli/exit-codes.ts';

/**
 * The command line that runs this same `envid` again, for configuration files that start it later
 * (AWS `credential_process`, Google's executable credential source): the absolute paths of node and of
 * the envid script this process runs, so that it works from processes with another PATH (IDEs, cron).
 * The credential is never part of it: the command finds it in ENVID_TOKEN or the saved `envid login`.
 */
export function envidCommandLine(args: readonly string[]): string {
  const script = process.argv[1];
  if (!script) throw new Error('cannot tell which envid script runs');
  return [process.execPath, resolve(script), ...args].map(quoteArgument).join(' ');
}

/**
 * An argument as both a POSIX shell (the JS SDK runs credential_process through one) and Python's
 * shlex.split (the aws CLI) read it back: bare when plain, else double-quoted.
 */
export function quoteArgument(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  if (/[$`\\"\n]/.test(value)) {
    throw usageError(
      `cannot write ${JSON.stringify(value)} into a command line: it contains $, \`, \\, " or a newline`,
    );
  }
  return `"${value}"`;
}
