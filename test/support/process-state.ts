import { readFileSync } from 'node:fs';

/**
 * Whether `pid` is a running process: not gone, and not a zombie that nobody has reaped yet (as a
 * detached process whose parent exited can be, where PID 1 does not reap).
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // "pid (command) state …": the command may hold spaces and parentheses, the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // No /proc here: signal 0 is all we know.
  }
}
