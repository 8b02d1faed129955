import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** What the figures were measured on: they mean little without it. */
export interface Machine {
  cores: number;
  cpuModel: string;
  node: string;
  date: string;
}

export function describeMachine(now = new Date()): Machine {
  let cpuModel = 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpuModel = match[1]!.trim();
  } catch {
    // Not Linux: the model stays unknown.
  }
  return { cores: availableParallelism(), cpuModel, node: process.version, date: now.toISOString() };
}
