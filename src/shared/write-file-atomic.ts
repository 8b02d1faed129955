// fs.promises, not node:fs/promises: loaded on first use, so that importing this module costs
// `envid idp token` nothing (loading node:fs/promises costs it ~0.6 ms, and it mostly writes no file).
import fs from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `content` to `path` so that a reader sees the old file or the whole new one, never a part:
 * a temporary file in the same directory (same file system, so rename is atomic), created with
 * `mode`, flushed, then renamed over `path`.
 */
export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  // Unique enough with 'wx' (which refuses an existing file); not node:crypto, which costs every CLI
  // start a few milliseconds to load.
  const unique = `${process.pid}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
  const temporary = join(dirname(path), `.${basename(path)}.${unique}.tmp`);
  const handle = await fs.promises.open(temporary, 'wx', mode);
  let written = false;
  try {
    await handle.writeFile(content);
    // The umask may have narrowed `mode`; make it exact.
    await handle.chmod(mode);
    await handle.sync();
    written = true;
  } finally {
    await handle.close();
    if (!written) await fs.promises.rm(temporary, { force: true });
  }
  try {
    await fs.promises.rename(temporary, path);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true });
    throw error;
  }
}
