import { expect } from 'vitest';
import { CliError } from '../../src/shared/exit-codes.ts';
import { thrown } from './thrown.ts';

/** The message of the usage error (a CliError with exit code 2) that `run` throws. */
export function usageMessage(run: () => unknown): string {
  const error = thrown(run, CliError);
  expect(error.exitCode).toBe(2);
  return error.message;
}
