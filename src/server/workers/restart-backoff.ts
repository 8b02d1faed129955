/** A worker that lived this long before it died is restarted after the shortest delay again. */
export const healthyLifetimeMs = 30_000;
const firstDelayMs = 250;
const longestDelayMs = 30_000;

/**
 * How long to wait before restarting a worker slot whose workers kept dying young: 250 ms, doubled for
 * each death in a row of a worker that lived less than healthyLifetimeMs, at most 30 s, so that a worker
 * that dies at start (the database refuses it) is not restarted in a tight loop.
 */
export function restartDelayMs(deathsInARow: number): number {
  return Math.min(firstDelayMs * 2 ** Math.max(0, deathsInARow - 1), longestDelayMs);
}
