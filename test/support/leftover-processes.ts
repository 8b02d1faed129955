import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface MarkedProcess {
  pid: number;
  command: string;
}

/**
 * The live processes whose environment holds `variable=value` (read from /proc: Linux). Zombies, whose
 * environment is gone, are not among them: they have exited.
 */
export function processesMarked(variable: string, value: string): MarkedProcess[] {
  const marker = `${variable}=${value}`;
  const found: MarkedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker)) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push({ pid, command });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

export const canListProcesses = existsSync('/proc/self/environ');

/**
 * Waits up to `graceMs` for the marked processes to end (one that is on its way out is fine), then kills
 * the rest and answers them.
 */
export async function endLeftoverProcesses(
  variable: string,
  value: string,
  graceMs = 2_000,
): Promise<MarkedProcess[]> {
  const deadline = Date.now() + graceMs;
  let left = processesMarked(variable, value);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = processesMarked(variable, value);
  }
  for (const { pid } of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Ended just now.
    }
  }
  return left;
}
