import { open, readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from './write-file-atomic.ts';

/** Set in the detached child so that it removes its pid file when it ends. */
const pidFileVariable = 'ENVID_CLI_PID_FILE';

/**
 * Starts this same command again, without `--background` (or `command`, a program and its arguments,
 * e.g. the installed envid's `idp token … --refresh` for `idp login`), detached from the terminal, with
 * stdout and stderr appended to `logFile`; writes its pid to `pidFile`. Answers the pid.
 */
export async function startBackgroundRefresher(
  pidFile: string,
  logFile: string,
  env: NodeJS.ProcessEnv,
  command?: readonly string[],
): Promise<number> {
  // Loaded here: node:child_process (with net and dgram) would cost every `envid idp token` start-up.
  const { spawn } = await import('node:child_process');
  const [program, ...args] = command ?? [
    process.execPath,
    ...process.execArgv,
    ...process.argv.slice(1).filter((arg) => arg !== '--background'),
  ];
  const log = await open(logFile, 'a', 0o600);
  try {
    const child = spawn(program!, args, {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: { ...env, [pidFileVariable]: pidFile },
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid!));
    });
    await writeFileAtomic(pidFile, `${pid}\n`, 0o644);
    child.unref();
    return pid;
  } finally {
    await log.close();
  }
}

/** In the detached child: removes the pid file on the way out, if it still names this process. */
export async function removeOwnPidFile(env: NodeJS.ProcessEnv): Promise<void> {
  const pidFile = env[pidFileVariable];
  if (!pidFile) return;
  const content = await readFile(pidFile, 'utf8').catch(() => '');
  if (content.trim() === String(process.pid)) await rm(pidFile, { force: true });
}

/**
 * Ends the refresher a pid file names, if it still runs and is one for `outputFile` (on Linux its command
 * line is checked, so a reused pid is never signalled). Used before starting a new one for the same file.
 */
export async function stopRefresher(pidFile: string, outputFile: string): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (commandLine === undefined || !commandLine.split('\0').includes(outputFile)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}
