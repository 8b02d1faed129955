import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataDirLockedError } from '../errors.ts';

/** The lock's file name inside the embedded database's directory. */
export const lockFileName = 'envid.lock';

/** Lock files this process holds: a second open in the same process must be refused as well. */
const heldHere = new Set<string>();

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/**
 * Takes `<dataDir>/envid.lock`, holding this process's pid. PGlite is one PostgreSQL per process with
 * no locking of its own: two processes on one directory each keep their own view and lose each other's
 * writes. A lock whose process is gone (a crash, a kill -9) is stale and taken over; so is one naming
 * this process's pid that this process does not hold (a container restarted with the same pid).
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = join(resolve(dataDir), lockFileName);
  const content = `${process.pid}\n`;
  if (heldHere.has(file)) throw new DataDirLockedError(file, process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createWithContent(file, content)) {
      heldHere.add(file);
      return {
        file,
        release: () => {
          heldHere.delete(file);
          if (readLock(file) === content) rmSync(file, { force: true });
        },
      };
    }
    const seen = readLock(file);
    if (seen === undefined) continue; // released meanwhile
    const holder = Number.parseInt(seen, 10);
    if (holder > 0 && holder !== process.pid && isAlive(holder)) throw new DataDirLockedError(file, holder);
    // Stale. Remove it only if it is still the one we judged, then race for it again.
    if (readLock(file) === seen) rmSync(file, { force: true });
  }
  throw new DataDirLockedError(file, Number.parseInt(readLock(file) ?? '0', 10));
}

/** Creates `file` holding `content` atomically (a link fails when the name exists); false if it exists. */
function createWithContent(file: string, content: string): boolean {
  const temporary = `${file}.${randomBytes(6).toString('hex')}`;
  writeFileSync(temporary, content, { mode: 0o600 });
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

function readLock(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
