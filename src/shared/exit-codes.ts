/**
 * Exit codes of `envid` and the one error type commands throw for expected failures. main.ts prints
 * a CliError as one line (no stack trace) and exits with its code.
 */
export const ExitCode = {
  ok: 0,
  serverError: 1,
  usage: 2,
  authentication: 3,
  notFound: 4,
  unreachable: 5,
  notDone: 6,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const meanings: [ExitCodeValue, string][] = [
  [ExitCode.ok, 'success'],
  [ExitCode.serverError, 'the server answered with an error not listed below, or an unexpected failure'],
  [ExitCode.usage, 'usage error: a missing or invalid flag, argument or setting'],
  [
    ExitCode.authentication,
    'authentication error: the server refused the credential (or its permission), or a relying party refused the token (`idp login`, `idp check`)',
  ],
  [ExitCode.notFound, 'not found: the object named does not exist (or is not visible to the credential)'],
  [ExitCode.unreachable, 'the server could not be reached (connection refused, DNS, timeout)'],
  [
    ExitCode.notDone,
    'nothing done: the request was valid but changed nothing yet, e.g. `keys rotate` too early',
  ],
];

/** The table `envid help exit-codes` prints. */
export function formatExitCodeTable(): string {
  return `Exit codes of envid:\n${meanings.map(([code, meaning]) => `  ${code}  ${meaning}`).join('\n')}\n`;
}

/** An expected failure: its message says what was wrong and what to do. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.usage);
}
