import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** A server process the bench started; its output goes to a file (a pipe nobody reads would stall it). */
export interface BenchProcess {
  child: ChildProcess;
  logFile: string;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Harmless when already stopped. */
  stop(graceMs?: number): Promise<void>;
}

/** Every process the bench started and has not stopped yet, so an interrupted run stops them too. */
const running = new Set<BenchProcess>();

export async function startProcess(options: {
  args: string[];
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /** Printed by the process once it serves; the first group is answered (the URL). */
  ready: RegExp;
  timeoutMs?: number;
}): Promise<{ process: BenchProcess; match: string }> {
  const fd = openSync(options.logFile, 'w');
  const child = spawn(process.execPath, options.args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const benchProcess: BenchProcess = {
    child,
    logFile: options.logFile,
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      running.delete(benchProcess);
    },
  };
  running.add(benchProcess);

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const output = readFileSync(options.logFile, 'utf8');
    const match = options.ready.exec(output);
    if (match) return { process: benchProcess, match: match[1] ?? match[0] };
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await benchProcess.stop();
      throw new Error(`${options.args.join(' ')} did not start; its output:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops whatever is still running (after a failure or an interrupt). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((started) => started.stop(3_000)));
}

/**
 * CPU seconds a process has used so far, all its threads (user + system), from /proc; NaN where there
 * is no /proc. Comparing it before and after a load gives the CPU each request cost, a figure that other
 * work on the machine disturbs far less than throughput.
 */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticksPerSecond = 100;
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}
