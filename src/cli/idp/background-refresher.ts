import { open, readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../write-file-atomic.ts';

/** Set in the detached child so that it removes its pid file when it ends. */
const pidFileVariable = 'ENVID_CLI_PID_FILE';

/**
 * Starts this same command again, without `--background`, detached from the terminal, with stdout and
 * stderr appended to `logFile`; writes its pid to `pidFile`. Answers the pid.
 */
export async function startBackgroundRefresher(
  pidFile: string,
  logFile: string,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  // Loaded here: node:child_process (with net and dgram) would cost every `envid idp token` start-up.
  const { spawn } = await import('node:child_process');
  const args = process.argv.slice(1).filter((arg) => arg !== '--background');
  const log = await open(logFile, 'a', 0o600);
  try {
    const child = spawn(process.execPath, [...process.execArgv, ...args], {
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
