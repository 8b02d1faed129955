import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { canListProcesses, endLeftoverProcesses, processesMarked } from '../support/leftover-processes.ts';
import { titled } from '../support/skip-reason.ts';

/** A node process that lives `ms`, marked with a value of its own (not this run's). */
async function markedNode(ms: number) {
  const value = randomBytes(6).toString('hex');
  const child = spawn(process.execPath, ['-e', `setTimeout(() => {}, ${ms})`], {
    env: { PATH: process.env['PATH'], ENVID_LEFTOVER_CHECK: value },
    stdio: 'ignore',
  });
  await once(child, 'spawn');
  return { child, value, exited: once(child, 'exit') };
}

describe.runIf(canListProcesses)(
  titled(
    'the global teardown’s check for processes left running',
    canListProcesses ? undefined : 'no /proc here (Linux only)',
  ),
  () => {
    it('finds a marked process by its environment, names it, and kills it after the grace period', async () => {
      const { child, value, exited } = await markedNode(60_000);
      expect(processesMarked('ENVID_LEFTOVER_CHECK', value)).toEqual([
        { pid: child.pid, command: `${process.execPath} -e setTimeout(() => {}, 60000)` },
      ]);
      expect(processesMarked('ENVID_LEFTOVER_CHECK', `${value}x`)).toEqual([]);
      const left = await endLeftoverProcesses('ENVID_LEFTOVER_CHECK', value, 200);
      expect(left.map(({ pid }) => pid)).toEqual([child.pid]);
      expect(await exited).toEqual([null, 'SIGKILL']);
      expect(processesMarked('ENVID_LEFTOVER_CHECK', value)).toEqual([]);
    });

    it('does not count a process that ends within the grace period', async () => {
      const { value, exited } = await markedNode(300);
      expect(await endLeftoverProcesses('ENVID_LEFTOVER_CHECK', value, 5_000)).toEqual([]);
      expect(await exited).toEqual([0, null]);
    });
  },
);
