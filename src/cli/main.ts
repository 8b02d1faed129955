import { CommanderError } from 'commander';
import { ExitCode } from '../shared/exit-codes.ts';
import { buildProgram } from './program.ts';
import { reportError } from './report-error.ts';

/**
 * The full `envid` CLI (src/cli/entry.ts runs `envid idp token`'s fast path without it). Nothing here
 * may load the server, the database or cloud SDKs before a command needs them (test/e2e/cli-idp.test.ts).
 */
try {
  const program = await buildProgram(process.argv.slice(2));
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeOf(error);
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander printed its message (or the help) already.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  return reportError(error);
}
