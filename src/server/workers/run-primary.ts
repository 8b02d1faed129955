import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { healthyLifetimeMs, restartDelayMs } from './restart-backoff.ts';
import { isListeningMessage } from './worker-messages.ts';

/** One of the N places for a worker: the worker in it now and how its predecessors fared. */
interface Slot {
  index: number;
  worker?: Worker;
  startedAt: number;
  deathsInARow: number;
  restartTimer?: NodeJS.Timeout;
}

/**
 * The `--workers N` primary: forks N workers (each a full server, like a replica on the same database)
 * that share the port through node:cluster, prints one "listening" line once all of them listen, restarts
 * a worker that dies (with restartDelayMs backoff), and on SIGTERM or SIGINT has every worker finish its
 * in-flight requests, then exits 0. A worker that dies before the first "listening" (a setting the
 * database refuses, say) stops the start: the others are stopped and the primary exits with its code.
 */
export function runPrimary(count: number, logger: Logger): void {
  const slots: Slot[] = Array.from({ length: count }, (_, index) => ({
    index,
    startedAt: 0,
    deathsInARow: 0,
  }));
  const listening = new Set<number>();
  let started = false;
  let stopping: { exitCode: number } | undefined;

  const stopAll = (exitCode: number) => {
    if (stopping) return;
    stopping = { exitCode };
    for (const slot of slots) {
      clearTimeout(slot.restartTimer);
      slot.worker?.process.kill('SIGTERM');
    }
    exitWhenAllGone();
  };
  const exitWhenAllGone = () => {
    if (stopping && slots.every((slot) => slot.worker === undefined)) process.exit(stopping.exitCode);
  };

  const fork = (slot: Slot) => {
    const worker = cluster.fork({ ENVID_WORKER_INDEX: String(slot.index) });
    slot.worker = worker;
    slot.startedAt = Date.now();
    worker.on('message', (message: unknown) => {
      if (!isListeningMessage(message)) return;
      listening.add(slot.index);
      if (started) {
        logger.info({ worker: slot.index, pid: worker.process.pid }, 'worker restarted');
      } else if (listening.size === count) {
        started = true;
        logger.info({ address: message.address, workers: count }, 'listening');
        process.stdout.write(`envid listening on ${message.address} (${count} workers)\n`);
      }
    });
    worker.on('exit', (code, signal) => {
      slot.worker = undefined;
      listening.delete(slot.index);
      if (stopping) return exitWhenAllGone();
      if (!started) {
        // Every worker would meet the same refusal: report it once, by the worker's own message and code.
        return stopAll(code === 0 || code === null ? 1 : code);
      }
      slot.deathsInARow = Date.now() - slot.startedAt < healthyLifetimeMs ? slot.deathsInARow + 1 : 1;
      const delayMs = restartDelayMs(slot.deathsInARow);
      logger.warn({ worker: slot.index, code, signal, restartInMs: delayMs }, 'worker died; restarting it');
      slot.restartTimer = setTimeout(() => fork(slot), delayMs);
    });
  };

  process.on('SIGTERM', () => stopAll(0));
  process.on('SIGINT', () => stopAll(0));
  for (const slot of slots) fork(slot);
}
