import { dirname } from 'node:path';
import { decodeJwt } from '../../shared/decode-jwt.ts';
import { CliError, ExitCode } from '../../shared/exit-codes.ts';
import { directoryProblem, writeFileAtomic } from '../../shared/write-file-atomic.ts';
import type { Connection } from '../config/resolve-connection.ts';
import { isDirectoryGone, whenDirectoryGone } from './directory-gone.ts';
import { printDecoded } from './print-decoded.ts';
import { refreshDelayMs, retryDelayMs } from './refresh-schedule.ts';
import { requestIdToken } from './request-token.ts';
import type { TokenOptions } from './token-options.ts';

export interface RunContext {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** `envid idp token`: prints the token, or writes it to a file and optionally keeps it fresh. */
export async function runIdpToken(
  connection: Connection,
  options: TokenOptions,
  context: RunContext,
): Promise<void> {
  const fetchToken = () => requestIdToken(connection, options.audiences, options.lifetimeSeconds);
  const { output } = options;
  if (output.kind === 'stdout') {
    const token = await fetchToken();
    context.stdout.write(output.decode ? printDecoded(decodeJwt(token), output.decode) : `${token}\n`);
    return;
  }
  // Checked before a token is asked for: a file that cannot be written should cost no token (nor audit).
  const problem = await directoryProblem(output.path);
  if (problem) throw outputFileError(output.path, problem);
  // A refresher may be signalled while it writes its first token (a detached one especially, right
  // after it started): remember the signal so that it then ends cleanly instead of being killed.
  let signalled = false;
  const onEarlySignal = () => {
    signalled = true;
  };
  if (output.refresh && !output.background) {
    process.on('SIGTERM', onEarlySignal);
    process.on('SIGINT', onEarlySignal);
  }
  let token: string;
  try {
    token = await fetchToken();
    // The file holds the JWT alone, without a newline, as AWS_WEB_IDENTITY_TOKEN_FILE readers expect.
    await writeFileAtomic(output.path, token, 0o600).catch((error: Error) => {
      throw outputFileError(output.path, error);
    });
  } finally {
    process.off('SIGTERM', onEarlySignal);
    process.off('SIGINT', onEarlySignal);
  }
  if (!output.refresh) return;
  if (output.background) {
    const { startBackgroundRefresher } = await import('../../shared/background-refresher.ts');
    const pid = await startBackgroundRefresher(output.pidFile, output.logFile, context.env);
    context.stderr.write(
      `envid: renewing ${output.path} in the background (pid ${pid}, pid file ${output.pidFile}, log ${output.logFile})\n`,
    );
    return;
  }
  try {
    // Called without an await before it: its own signal handlers take over from the early ones at once.
    if (!signalled) await refreshUntilSignalled(token, output.path, fetchToken, context);
  } finally {
    if (context.env['ENVID_CLI_PID_FILE']) {
      const { removeOwnPidFile } = await import('../../shared/background-refresher.ts');
      await removeOwnPidFile(context.env);
    }
  }
}

const outputFileError = (path: string, error: Error): CliError =>
  new CliError(`cannot write --output-file ${path}: ${error.message}`, ExitCode.usage);

/**
 * Renews the token file at 2/3 of each token's lifetime until SIGTERM or SIGINT, or until the file's
 * directory is removed (the environment it served is gone: nobody reads the file any more); then
 * resolves.
 */
async function refreshUntilSignalled(
  first: string,
  path: string,
  fetchToken: () => Promise<string>,
  context: RunContext,
): Promise<void> {
  let current = decodeJwt(first);
  let timer: NodeJS.Timeout | undefined;
  // Set on SIGTERM/SIGINT: a renewal in flight then must neither write nor schedule another.
  let stopped = false;
  // A renewal that is writing the file when the signal comes: the refresher ends once it is written, so
  // nothing touches the file after the refresher has returned.
  let writing: Promise<void> | undefined;
  const dir = dirname(path);
  await new Promise<void>((resolve, reject) => {
    const cleanUp = () => {
      stopped = true;
      clearTimeout(timer);
      stopWatching();
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
    };
    const stop = () => {
      cleanUp();
      void (writing ?? Promise.resolve()).catch(() => {}).finally(resolve);
    };
    const stopAsGone = () => {
      if (stopped) return;
      context.stderr.write(`envid: ${dir} was removed: stopped renewing ${path}\n`);
      stop();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    const stopWatching = whenDirectoryGone(dir, stopAsGone);
    const schedule = (delayMs: number) => {
      if (!stopped) timer = setTimeout(renew, delayMs);
    };
    const renew = async () => {
      try {
        const token = await fetchToken();
        if (stopped) return;
        writing = writeFileAtomic(path, token, 0o600);
        await writing.finally(() => {
          writing = undefined;
        });
        current = decodeJwt(token);
        schedule(refreshDelayMs(current, Date.now(), context.env));
      } catch (error) {
        if (stopped) return;
        // The write failed because the directory went (before the watch said so): not worth a retry.
        if (isDirectoryGone(dir)) return stopAsGone();
        // A refused credential (e.g. the environment was stopped) will not recover: stop with its code.
        if (
          error instanceof CliError &&
          error.exitCode !== ExitCode.unreachable &&
          error.exitCode !== ExitCode.serverError
        ) {
          cleanUp();
          reject(error);
          return;
        }
        context.stderr.write(`envid: renewing ${path} failed, retrying: ${(error as Error).message}\n`);
        schedule(retryDelayMs(current, Date.now(), context.env));
      }
    };
    schedule(refreshDelayMs(current, Date.now(), context.env));
  });
}
