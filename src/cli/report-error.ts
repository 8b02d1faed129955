import { CliError, ExitCode } from '../shared/exit-codes.ts';

/**
 * Prints an expected failure (CliError) as one line and an unexpected one with its message (its stack
 * with ENVID_DEBUG=1); answers the exit code. Commander's own errors are handled by main.ts.
 */
export function reportError(error: unknown): number {
  if (error instanceof CliError) {
    process.stderr.write(`envid: ${error.message}\n`);
    return error.exitCode;
  }
  const detail = process.env['ENVID_DEBUG'] ? (error as Error)?.stack : (error as Error)?.message;
  process.stderr.write(
    `envid: unexpected error: ${detail ?? String(error)} (ENVID_DEBUG=1 shows the stack)\n`,
  );
  return ExitCode.serverError;
}
