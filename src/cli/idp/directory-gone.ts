import { statSync, watch } from 'node:fs';

/** True when `dir` no longer exists as a directory (removed, or moved away from that path). */
export function isDirectoryGone(dir: string): boolean {
  try {
    return !statSync(dir).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR';
  }
}

/**
 * Calls `onGone` once, soon after `dir` disappears: at once through fs.watch where the platform says
 * so, and by a check every `pollMs` besides (a watch misses a parent directory that is moved, and some
 * file systems report nothing). Neither keeps the process alive. Answers what stops watching.
 */
export function whenDirectoryGone(dir: string, onGone: () => void, pollMs = 2_000): () => void {
  let stopped = false;
  let watcher: ReturnType<typeof watch> | undefined;
  const stop = () => {
    stopped = true;
    clearInterval(poll);
    watcher?.close();
  };
  const check = () => {
    if (stopped || !isDirectoryGone(dir)) return;
    stop();
    onGone();
  };
  const poll = setInterval(check, pollMs);
  poll.unref();
  try {
    watcher = watch(dir, { persistent: false }, check);
    // A watch that breaks (the directory went, or the platform gave up) leaves the poll in charge.
    watcher.on('error', () => {
      watcher?.close();
      check();
    });
  } catch {
    // No watch here: the poll alone.
  }
  return stop;
}
