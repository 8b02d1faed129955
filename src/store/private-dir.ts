import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Modes of everything in a data directory: the owner alone reads and writes, whatever the umask. */
export const privateDirMode = 0o700;
export const privateFileMode = 0o600;

/**
 * Creates `dir` (and missing parents) owner-only, then tightens it and everything under it (see
 * restrictTree): the data directory holds personal data, the audit log and secrets.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: privateDirMode });
  restrictTree(dir);
}

/**
 * Makes `dir` and every directory under it 0700 and every file 0600 (symbolic links are left alone,
 * not followed). A directory left with looser modes (by an older envid, by hand, by a copy) is
 * tightened rather than refused; what cannot be changed (owned by another user) stops with a message.
 */
export function restrictTree(dir: string): void {
  const pending = [dir];
  while (pending.length > 0) {
    const path = pending.pop()!;
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) continue;
    const wanted = stat.isDirectory() ? privateDirMode : privateFileMode;
    if ((stat.mode & 0o7777) !== wanted) restrictMode(path, wanted);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) pending.push(join(path, entry));
  }
}

function restrictMode(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(
      `cannot make ${path} private (mode ${mode.toString(8).padStart(4, '0')}): ${code}. The data ` +
        'directory must belong to the user envid runs as; fix its owner (chown -R) or its modes',
    );
  }
}
